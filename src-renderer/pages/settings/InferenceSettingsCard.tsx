import { useState } from 'react';
import { AlertTriangle, MemoryStick, RefreshCw } from 'lucide-react';
import { LOAD_SETTING_BOUNDS, type LoadSettings } from '../../../src-main/contract/inference';
import { formatBytes } from '../../../src-main/contract/present/format';
import { SETTING_BOUNDS, type SettingsView } from '../../../src-main/contract/settings';
import { useHardware, useRefreshHardware } from '../../api/inference';
import { useUpdateSettings } from '../../api/settings';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Input } from '../../components/ui/input';

const BACKEND_NAME = { cuda: 'CUDA', vulkan: 'Vulkan', metal: 'Metal', cpu: 'CPU only' } as const;

function Hardware() {
  const hw = useHardware();
  const refresh = useRefreshHardware();
  if (hw.error) return <ErrorNotice error={hw.error} />;
  if (!hw.data) return <p className="text-sm text-muted-foreground">Asking node-llama-cpp what this machine has…</p>;
  const h = hw.data;
  const rows: [string, string][] = [
    ['Backend', BACKEND_NAME[h.backend]],
    ['GPU', h.gpuDevices.length ? h.gpuDevices.join(', ') : 'none in use'],
    ['VRAM', h.vram ? `${formatBytes(h.vram.free)} free of ${formatBytes(h.vram.total)}` : '—'],
    ['RAM', `${formatBytes(h.ram.free)} free of ${formatBytes(h.ram.total)}`],
    ['CPU', `${h.cpuCores} physical core${h.cpuCores === 1 ? '' : 's'}, ${h.logicalCores} logical`],
    ['Default threads', `${h.defaultThreads.threads} (${h.defaultThreads.reason}); fewer for small models`],
  ];
  return (
    <div className="space-y-3">
      {h.cpuNotice ? (
        <div
          role="status"
          className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm text-warning"
          data-testid="cpu-notice"
        >
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
          {h.cpuNotice}
        </div>
      ) : null}
      <div className="flex items-start gap-4">
        <dl className="grid flex-1 grid-cols-[8rem_1fr] gap-y-1.5 text-sm" data-testid="hardware">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted-foreground">{k}</dt>
              <dd>{k === 'Backend' ? <Badge tone={h.backend === 'cpu' ? 'warning' : 'success'}>{v}</Badge> : v}</dd>
            </div>
          ))}
        </dl>
        <Button size="sm" variant="ghost" onClick={() => refresh.mutate()} disabled={refresh.isPending}>
          <RefreshCw /> Refresh
        </Button>
      </div>
    </div>
  );
}

function numberOrAuto(v: string): number | 'auto' {
  return v.trim() === '' ? 'auto' : Math.trunc(Number(v));
}
function numberOrNull(v: string): number | null {
  return v.trim() === '' ? null : Math.trunc(Number(v));
}

/** Hardware node-llama-cpp sees, and the defaults every model load starts from. */
export function InferenceSettingsCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  const hw = useHardware();
  const d = settings.inference.loadDefaults;
  const [draft, setDraft] = useState({
    gpuLayers: d.gpuLayers === 'auto' ? '' : String(d.gpuLayers),
    contextSize: d.contextSize === 'auto' ? '' : String(d.contextSize),
    batchSize: d.batchSize === null ? '' : String(d.batchSize),
    threads: d.threads === null ? '' : String(d.threads),
    unloadAfterMinutes: String(settings.inference.unloadAfterMinutes),
  });
  const save = () => {
    const loadDefaults: LoadSettings = {
      gpuLayers: numberOrAuto(draft.gpuLayers),
      contextSize: numberOrAuto(draft.contextSize),
      batchSize: numberOrNull(draft.batchSize),
      threads: numberOrNull(draft.threads),
    };
    update.mutate({ loadDefaults, unloadAfterMinutes: Math.trunc(Number(draft.unloadAfterMinutes || '0')) });
  };
  const bounds = { ...LOAD_SETTING_BOUNDS, unloadAfterMinutes: SETTING_BOUNDS.unloadAfterMinutes };
  const field = (key: keyof typeof draft, label: string, placeholder: string, help: string) => (
    <div className="space-y-1">
      <label htmlFor={`inference-${key}`} className="text-sm font-medium">
        {label}
      </label>
      <Input
        id={`inference-${key}`}
        type="number"
        min={bounds[key].min}
        max={bounds[key].max}
        placeholder={placeholder}
        value={draft[key]}
        onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
      />
      <p className="text-xs text-muted-foreground">{help}</p>
    </div>
  );
  return (
    <Card>
      <CardHeader
        icon={<MemoryStick />}
        title="Local inference"
        description="Models run through node-llama-cpp in a separate process: a model that crashes cannot take Hubcap down. Nothing is built or downloaded at run time."
      />
      <CardBody>
        <Hardware />
        <form
          className="grid grid-cols-2 gap-4 border-t border-border pt-4"
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
        >
          {field('gpuLayers', 'GPU layers', 'auto', 'Empty: as many as fit in VRAM.')}
          {field('contextSize', 'Context size', 'auto', 'Empty: what fits, up to 8,192 tokens or the model’s own limit.')}
          {field('batchSize', 'Batch size', 'default', 'Tokens evaluated per step while reading a prompt.')}
          {field(
            'threads',
            'Threads',
            hw.data ? `auto (${hw.data.defaultThreads.threads})` : 'auto',
            'Empty: chosen at each load from the idle physical cores and the model’s size.',
          )}
          {field('unloadAfterMinutes', 'Unload after (minutes idle)', '30', '0 keeps a model loaded until you unload it.')}
          <div className="col-span-2 flex items-center gap-3">
            <Button type="submit" variant="primary" disabled={update.isPending}>
              Save defaults
            </Button>
            {update.isSuccess ? <span className="text-sm text-success">Saved.</span> : null}
          </div>
          {update.error ? <ErrorNotice error={update.error} className="col-span-2" /> : null}
        </form>
      </CardBody>
    </Card>
  );
}
