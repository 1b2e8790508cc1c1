import { Download } from 'lucide-react';
import { SETTING_BOUNDS, type SettingsView } from '../../../src-main/contract/settings';
import { useUpdateSettings } from '../../api/settings';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { NativeSelect } from '../../components/ui/native-select';

/** A small whole number from its setting's bounds (the contract's, not a copy). */
function Stepper({
  label,
  value,
  onChange,
  id,
  help,
  bounds,
}: {
  label: string;
  value: number;
  onChange: (v: number) => void;
  id: string;
  help: string;
  bounds: { min: number; max: number };
}) {
  const choices = Array.from({ length: bounds.max - bounds.min + 1 }, (_, i) => bounds.min + i);
  return (
    <div className="flex items-center justify-between gap-6">
      <div>
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <p className="text-xs text-muted-foreground">{help}</p>
      </div>
      <NativeSelect id={id} value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {choices.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </NativeSelect>
    </div>
  );
}

export function DownloadsCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  return (
    <Card>
      <CardHeader icon={<Download />} title="Downloads" />
      <CardBody>
        <Stepper
          id="concurrency"
          bounds={SETTING_BOUNDS.downloadConcurrency}
          label="Files at once"
          value={settings.downloads.concurrency}
          onChange={(v) => update.mutate({ downloadConcurrency: v })}
          help="How many files download at the same time, across all downloads."
        />
        <Stepper
          id="connections"
          bounds={SETTING_BOUNDS.downloadConnections}
          label="Connections per large file"
          value={settings.downloads.connections}
          onChange={(v) => update.mutate({ downloadConnections: v })}
          help="Parallel ranges for files over 64 MB. Helps on slow, far links; one is fastest on a fast link (see docs/performance.md)."
        />
        {update.error ? <ErrorNotice error={update.error} /> : null}
      </CardBody>
    </Card>
  );
}
