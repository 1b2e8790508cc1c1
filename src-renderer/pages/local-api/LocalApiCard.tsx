import { useState } from 'react';
import { Check, Copy, PlugZap } from 'lucide-react';
import type { SettingsView } from '../../../src-main/contract/settings';
import { useLocalApi, useRegenerateApiKey, useRevealApiKey } from '../../api/localapi';
import { useUpdateSettings } from '../../api/settings';
import { ErrorNotice } from '../../components/ErrorNotice';
import { KeyRow, PortField } from '../../components/KeyedServerFields';
import { useCopy } from '../../components/PathField';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Input } from '../../components/ui/input';
import { NativeSelect } from '../../components/ui/native-select';
import { LOCAL_API_MAX_PARALLEL } from '../../../src-main/contract/localapi';
import { Switch } from '../../components/ui/switch';
import { RecentRequests } from './RecentRequests';

/**
 * The Local API page's controls: every Library model for tools that speak OpenAI's API. Off by
 * default; where it listens, the base URL and key to paste into a client, and the latest requests.
 */
export function LocalApiCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  const state = useLocalApi();
  const reveal = useRevealApiKey();
  const regenerate = useRegenerateApiKey();
  const { copy, copied } = useCopy();
  const [originsDraft, setOriginsDraft] = useState<string | null>(null);
  const s = settings.localApi;
  const view = state.data;
  const origins = originsDraft ?? s.corsOrigins.join(' ');
  return (
    <Card>
      <CardHeader
        icon={<PlugZap />}
        title="Server"
        description="Off by default. On, it listens on this port (this machine only, unless you open it to the network) and asks every request for the key."
        actions={<Switch checked={s.enabled} onCheckedChange={(enabled) => update.mutate({ localApi: { enabled } })} aria-label="Local API" />}
      />
      <CardBody>
        <div className="grid gap-3 sm:grid-cols-[8rem_8rem_minmax(0,1fr)]">
          <PortField port={s.port} label="Local API port" onSave={(port) => update.mutate({ localApi: { port } })} />
          <label
            className="block space-y-1 text-sm font-medium"
            title="Requests for one model answered at once; each costs a context of memory, and a model that cannot afford them gets fewer. Auto: 4 on a GPU, 1 on the CPU (where batching slowed each client). Takes effect when a model loads."
          >
            At once
            <NativeSelect
              className="w-full"
              value={String(s.parallel)}
              aria-label="Requests answered at once"
              onChange={(e) => update.mutate({ localApi: { parallel: e.target.value === 'auto' ? 'auto' : Number(e.target.value) } })}
            >
              <option value="auto">Auto</option>
              {Array.from({ length: LOCAL_API_MAX_PARALLEL }, (_, i) => i + 1).map((n) => (
                <option key={n} value={n}>
                  {n === 1 ? '1 (queue)' : n}
                </option>
              ))}
            </NativeSelect>
          </label>
          <label className="block space-y-1 text-sm font-medium">
            Browser origins allowed <span className="font-normal text-muted-foreground">(CORS; none by default)</span>
            <Input
              value={origins}
              placeholder="http://localhost:3000"
              aria-label="Allowed origins"
              onChange={(e) => setOriginsDraft(e.target.value)}
              onBlur={() => {
                const list = origins.split(/[\s,]+/).filter(Boolean);
                if (list.join(' ') !== s.corsOrigins.join(' ')) update.mutate({ localApi: { corsOrigins: list } });
                setOriginsDraft(null);
              }}
            />
          </label>
        </div>
        <label className="flex items-center gap-2 text-sm">
          <Switch checked={s.exposed} onCheckedChange={(exposed) => update.mutate({ localApi: { exposed } })} aria-label="Reachable from other machines" />
          Reachable from other machines on the network
        </label>
        {s.exposed ? <p className="text-sm text-warning">Anyone who can reach this machine and has the key can use your models.</p> : null}
        {view?.error ? <ErrorNotice error={new Error(view.error)} /> : null}
        {view?.url ? (
          <div className="space-y-2 text-sm" data-testid="local-api-running">
            <div className="flex flex-wrap items-center gap-2">
              <span className="text-muted-foreground">Base URL</span>
              <code className="rounded-md bg-muted px-2 py-1 font-mono text-xs">{view.url}</code>
              <Button size="sm" onClick={() => copy.mutate(view.url ?? '')} aria-label="Copy the base URL">
                {copied ? <Check /> : <Copy />}
                Copy
              </Button>
            </div>
            <KeyRow
              shown={reveal.data?.key ?? view.key?.masked ?? '…'}
              source={view.key?.source ?? null}
              envVar="HUBCAP_API_KEY"
              testId="local-api-key"
              onShow={() => reveal.mutate()}
              onCopy={() => reveal.mutate(undefined, { onSuccess: ({ key }) => copy.mutate(key) })}
              onRegenerate={() => regenerate.mutate(undefined, { onSuccess: () => reveal.reset() })}
            />
          </div>
        ) : null}
        {view?.recent.length ? (
          <RecentRequests recent={view.recent} />
        ) : s.enabled && view?.running ? (
          <p className="text-xs text-muted-foreground">No requests yet.</p>
        ) : null}
        {update.error ? <ErrorNotice error={update.error} /> : null}
        {reveal.error ? <ErrorNotice error={reveal.error} /> : null}
      </CardBody>
    </Card>
  );
}
