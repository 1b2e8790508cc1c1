import { ArrowUpCircle } from 'lucide-react';
import { useUpdatePreferences, useUpdates } from '../../api/updates';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Switch } from '../../components/ui/switch';

/** Model updates (#26): the daily background check, and whether an update keeps the previous revision. */
export function UpdatesSettingsCard() {
  const view = useUpdates().data;
  const update = useUpdatePreferences();
  if (!view) return null;
  return (
    <Card data-testid="updates-settings">
      <CardHeader icon={<ArrowUpCircle />} title="Model updates" />
      <CardBody className="space-y-4">
        <div className="space-y-1">
          <label className="flex items-center gap-2 text-sm font-medium">
            <Switch
              checked={view.daily}
              disabled={update.isPending}
              onCheckedChange={(v) => update.mutate({ daily: v })}
              aria-label="Check for model updates daily"
            />
            Check for model updates daily
          </label>
          <p className="text-xs text-muted-foreground">
            At most once a day, in the background, one light request per cached repo (never in offline mode). Off: only when you ask, on the Cache page, in the
            Library or with hubcap updates.
          </p>
        </div>
        <div className="space-y-1">
          <label className="flex items-center gap-2 text-sm font-medium">
            <Switch
              checked={view.keepPrevious}
              disabled={update.isPending}
              onCheckedChange={(v) => update.mutate({ keepPrevious: v })}
              aria-label="Keep the previous revision after an update"
            />
            Keep the previous revision after an update
          </label>
          <p className="text-xs text-muted-foreground">
            On: it stays until you remove it (the Cache page says what it frees). Off: it is removed once the update is in place, unless a model loaded in Chat
            or the Local API runs from it.
          </p>
        </div>
        {update.error ? <ErrorNotice error={update.error} /> : null}
      </CardBody>
    </Card>
  );
}
