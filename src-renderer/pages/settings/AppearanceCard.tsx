import { Monitor, Moon, Palette, Sun } from 'lucide-react';
import type { SettingsView, Theme } from '../../../src-main/contract/settings';
import { useUpdateSettings } from '../../api/settings';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { cn } from '../../lib/cn';

const THEME_CHOICES: { value: Theme; label: string; icon: typeof Sun }[] = [
  { value: 'system', label: 'System', icon: Monitor },
  { value: 'light', label: 'Light', icon: Sun },
  { value: 'dark', label: 'Dark', icon: Moon },
];

export function AppearanceCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  return (
    <Card>
      <CardHeader icon={<Palette />} title="Appearance" />
      <CardBody>
        <div role="radiogroup" aria-label="Theme" className="inline-flex rounded-lg border border-border p-1">
          {THEME_CHOICES.map(({ value, label, icon: Icon }) => (
            <button
              key={value}
              type="button"
              role="radio"
              aria-checked={settings.theme === value}
              onClick={() => update.mutate({ theme: value })}
              className={cn(
                'flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm text-muted-foreground',
                settings.theme === value && 'bg-accent font-medium text-foreground',
              )}
            >
              <Icon className="size-4" aria-hidden />
              {label}
            </button>
          ))}
        </div>
      </CardBody>
    </Card>
  );
}
