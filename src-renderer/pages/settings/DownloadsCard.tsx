import { Download } from 'lucide-react';
import { CONNECTION_CHOICES, SETTING_BOUNDS, type SettingsView } from '../../../src-main/contract/settings';
import { useUpdateSettings } from '../../api/settings';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { NativeSelect } from '../../components/ui/native-select';

/** A setting picked from a few choices (from the contract: its bounds or its list, not a copy). */
function Stepper<T extends string | number>({
  label,
  value,
  onChange,
  id,
  help,
  choices,
}: {
  label: string;
  value: T;
  onChange: (v: T) => void;
  id: string;
  help: string;
  choices: readonly T[];
}) {
  const shown = choices.includes(value) ? choices : [...choices, value];
  return (
    <div className="flex items-center justify-between gap-6">
      <div>
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <p className="text-xs text-muted-foreground">{help}</p>
      </div>
      <NativeSelect id={id} value={value} onChange={(e) => onChange(shown.find((c) => String(c) === e.target.value) ?? value)}>
        {shown.map((n) => (
          <option key={n} value={n}>
            {n === 'auto' ? 'Auto' : n}
          </option>
        ))}
      </NativeSelect>
    </div>
  );
}

const range = (b: { min: number; max: number }) => Array.from({ length: b.max - b.min + 1 }, (_, i) => b.min + i);

export function DownloadsCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  return (
    <Card>
      <CardHeader icon={<Download />} title="Downloads" />
      <CardBody>
        <Stepper
          id="concurrency"
          choices={range(SETTING_BOUNDS.downloadConcurrency)}
          label="Files at once"
          value={settings.downloads.concurrency}
          onChange={(v) => update.mutate({ downloadConcurrency: v })}
          help="How many files download at the same time, across all downloads."
        />
        <Stepper
          id="connections"
          choices={CONNECTION_CHOICES as readonly ('auto' | number)[]}
          label="Connections per large file"
          value={settings.downloads.connections}
          onChange={(v) => update.mutate({ downloadConnections: v })}
          help="For files over 16 MB. Auto opens more while the link gives more (far CDNs cap each connection); a number is the most it may use."
        />
        {update.error ? <ErrorNotice error={update.error} /> : null}
      </CardBody>
    </Card>
  );
}
