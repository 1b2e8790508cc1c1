import { useEffect, useState } from 'react';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'wouter';
import { Cpu, Power, SlidersHorizontal, TriangleAlert, Zap } from 'lucide-react';
import { ApiError } from '../../../src-main/contract/errors';
import type { FitEstimate, LoadSettings } from '../../../src-main/contract/inference';
import { useApi, useApiQuery } from '../../api/context';
import { chatIntent, useInferenceStatus } from '../../api/chat';
import { ErrorNotice } from '../ErrorNotice';
import { FitBadge } from '../FitBadge';
import { Button } from '../ui/button';
import { Dialog } from '../ui/dialog';
import { Input } from '../ui/input';
import { Progress } from '../ui/progress';

type Overrides = Partial<LoadSettings>;

function LoadOptions({ value, onChange }: { value: Overrides; onChange: (v: Overrides) => void }) {
  const [open, setOpen] = useState(false);
  const field = (key: keyof LoadSettings, label: string, hint: string, allowAuto: boolean) => {
    const v = value[key];
    return (
      <div className="space-y-1">
        <label htmlFor={`load-${key}`} className="text-xs font-medium">
          {label}
        </label>
        <Input
          id={`load-${key}`}
          type="number"
          min={key === 'contextSize' ? 128 : key === 'gpuLayers' ? 0 : 1}
          placeholder={allowAuto ? 'auto' : 'default'}
          value={v === undefined || v === null || v === 'auto' ? '' : v}
          onChange={(e) => {
            const rest = Object.fromEntries(Object.entries(value).filter(([k]) => k !== key)) as Overrides;
            onChange(e.target.value === '' ? rest : { ...rest, [key]: Math.trunc(Number(e.target.value)) });
          }}
        />
        <p className="text-xs text-muted-foreground">{hint}</p>
      </div>
    );
  };
  return (
    <>
      <Button size="icon" variant="ghost" aria-label="Load options" onClick={() => setOpen(true)}>
        <SlidersHorizontal />
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        title="Load options"
        description="Empty fields use the defaults from Settings (auto fits what this machine can hold)."
      >
        <div className="grid grid-cols-2 gap-4">
          {field('gpuLayers', 'GPU layers', 'Layers offloaded to the GPU.', true)}
          {field('contextSize', 'Context size', 'Tokens the model can see at once.', true)}
          {field('batchSize', 'Batch size', 'Tokens evaluated per step.', false)}
          {field('threads', 'Threads', 'CPU threads for generation.', false)}
        </div>
        <div className="mt-5 flex justify-end">
          <Button variant="primary" onClick={() => setOpen(false)}>
            Done
          </Button>
        </div>
      </Dialog>
    </>
  );
}

/** Pick a Library GGUF, see whether it fits, load or unload it; shows loading progress and what went wrong. */
export function ModelBar() {
  const api = useApi();
  const status = useInferenceStatus();
  const library = useApiQuery('library.list', {});
  const models = (library.data ?? []).filter((i) => i.kind === 'gguf' && !i.missing);
  const loaded = status.data?.model ?? null;
  // "Chat" in the Library asks for a model: it is selected here and loaded once.
  const [selected, setSelected] = useState<string>(() => chatIntent.peek() ?? '');
  const [overrides, setOverrides] = useState<Overrides>({});
  const key = selected || loaded?.key || models[0]?.key || '';
  const fit = useApiQuery('inference.fit', { key, settings: overrides }, { enabled: Boolean(key), staleTime: 30_000, retry: false });
  const load = useMutation({
    mutationFn: (v: { key: string; force?: boolean }) => api.call('inference.load', { key: v.key, settings: overrides, force: v.force ?? false }),
  });
  const unload = useMutation({ mutationFn: () => api.call('inference.unload', {}) });

  const { mutate: startLoad } = load;
  useEffect(() => {
    const k = chatIntent.take();
    if (k) startLoad({ key: k });
  }, [startLoad]);

  const loading = status.data?.loading ?? null;
  const problem = status.data?.problem ?? null;
  const wontFit = load.error instanceof ApiError && load.error.code === 'WONT_FIT' ? (load.error.details as { fit?: FitEstimate } | undefined)?.fit : undefined;
  const isLoaded = loaded?.key === key;
  return (
    <div className="space-y-2 border-b border-border px-4 py-3">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="model-picker" className="sr-only">
          Model
        </label>
        <select
          id="model-picker"
          value={key}
          onChange={(e) => {
            setSelected(e.target.value);
            load.reset();
          }}
          className="h-9 min-w-0 max-w-md flex-1 rounded-md border border-border bg-card px-2 text-sm"
          disabled={models.length === 0}
        >
          {models.length === 0 ? <option value="">No GGUF models in your Library</option> : null}
          {models.map((m) => (
            <option key={m.key} value={m.key}>
              {m.name}
              {m.repo ? ` (${m.repo})` : ''}
              {loaded?.key === m.key ? ' · loaded' : ''}
            </option>
          ))}
        </select>
        <LoadOptions value={overrides} onChange={setOverrides} />
        {fit.data ? <FitBadge fit={fit.data} /> : null}
        {isLoaded ? (
          <Button onClick={() => unload.mutate()} disabled={unload.isPending}>
            <Power />
            Unload
          </Button>
        ) : (
          <Button variant="primary" onClick={() => load.mutate({ key })} disabled={!key || loading !== null}>
            <Zap />
            Load
          </Button>
        )}
      </div>
      {models.length === 0 && library.isSuccess ? (
        <p className="text-sm text-muted-foreground">
          Download a GGUF model from the{' '}
          <Link href="/gallery" className="text-primary underline">
            Gallery
          </Link>{' '}
          or drop a .gguf file anywhere in this window.
        </p>
      ) : null}
      {loading ? <Progress value={loading.progress * 100} label={`Loading ${loading.name}`} /> : null}
      {loaded && !loading ? (
        <p className="flex flex-wrap items-center gap-x-3 text-xs text-muted-foreground" data-testid="loaded-model">
          <span className="font-medium text-foreground">{loaded.name}</span>
          <span>
            {loaded.backend === 'cpu' ? <Cpu className="inline size-3.5" /> : null} {loaded.backend.toUpperCase()}
          </span>
          <span>
            {loaded.gpuLayers}/{loaded.totalLayers} layers on GPU
          </span>
          <span>{loaded.contextSize.toLocaleString()}-token context</span>
          <span>{loaded.chatTemplate} template</span>
          <span>loaded in {(loaded.loadMs / 1000).toFixed(1)} s</span>
        </p>
      ) : null}
      {loaded?.fitWarning ? (
        <p className="flex items-center gap-1.5 text-xs text-warning">
          <TriangleAlert className="size-3.5" /> Loaded against the estimate: {loaded.fitWarning}
        </p>
      ) : null}
      {wontFit ? (
        <div role="alert" className="flex flex-wrap items-center gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm">
          <TriangleAlert className="size-4 text-warning" />
          <span className="flex-1">{load.error?.message}</span>
          <Button size="sm" variant="danger" onClick={() => load.mutate({ key, force: true })}>
            Load anyway
          </Button>
        </div>
      ) : load.error ? (
        <ErrorNotice error={load.error} />
      ) : null}
      {problem && !load.error ? <ErrorNotice error={new ApiError(problem.kind === 'crash' ? 'HOST_CRASHED' : 'LOAD_FAILED', problem.message)} /> : null}
      {fit.error ? <ErrorNotice error={fit.error} /> : null}
    </div>
  );
}
