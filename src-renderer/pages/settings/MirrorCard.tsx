import { useState } from 'react';
import { Check, Copy, Share2 } from 'lucide-react';
import type { SettingsView } from '../../../src-main/contract/settings';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useMirror, useRegenerateMirrorKey, useRevealMirrorEndpoint } from '../../api/mirror';
import { useUpdateSettings } from '../../api/settings';
import { ErrorNotice } from '../../components/ErrorNotice';
import { KeyRow, PortField } from '../../components/KeyedServerFields';
import { useCopy } from '../../components/PathField';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Input } from '../../components/ui/input';
import { NativeSelect } from '../../components/ui/native-select';
import { Switch } from '../../components/ui/switch';

/** Per-client limits offered, in bytes per second (0: none). */
const RATES = [0, 10e6, 25e6, 50e6, 100e6, 250e6, 1e9];

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-md border border-border px-3 py-2">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="text-sm font-medium tabular-nums">{value}</dd>
    </div>
  );
}

/**
 * Settings › Share models on this network (#28): this cache as a Hub mirror for the other machines
 * of a lab, a class or a home. Off by default; where it listens (with the warning `serve --host`
 * gives), the one line each client needs, the key masked with copy and a new one, and the figures.
 */
export function MirrorCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  const state = useMirror();
  const reveal = useRevealMirrorEndpoint();
  const regenerate = useRegenerateMirrorKey();
  const { copy, copied } = useCopy();
  const [allowDraft, setAllowDraft] = useState<string | null>(null);
  const s = settings.mirror;
  const view = state.data;
  const allow = allowDraft ?? s.allow;
  const interfaces = view?.interfaces ?? [];
  const choices = interfaces.some((i) => i.address === s.host) ? interfaces : [...interfaces, { name: 'Chosen before', address: s.host }];
  const rates = RATES.includes(s.rateLimit) ? RATES : [...RATES, s.rateLimit];
  const base = (e: string) => e.slice(0, e.lastIndexOf('/'));
  // The key in full only while it is for the address shown (a restart elsewhere makes it stale).
  const full = reveal.data && view?.endpoint && base(reveal.data.endpoint) === base(view.endpoint) ? reveal.data.endpoint : null;
  const endpoint = full ?? view?.endpoint ?? null;
  const f = view?.figures;
  return (
    <Card>
      <CardHeader
        icon={<Share2 />}
        title="Share models on this network"
        description="Other machines download the models this cache holds from here, as from the Hub, by setting one line. Off by default."
        actions={<Switch checked={s.enabled} onCheckedChange={(enabled) => update.mutate({ mirror: { enabled } })} aria-label="Share models on this network" />}
      />
      <CardBody>
        <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_7rem_10rem]">
          <label className="block space-y-1 text-sm font-medium">
            Listen on
            <NativeSelect className="w-full" value={s.host} aria-label="Interface" onChange={(e) => update.mutate({ mirror: { host: e.target.value } })}>
              {choices.map((i) => (
                <option key={i.address} value={i.address}>
                  {i.name} ({i.address})
                </option>
              ))}
            </NativeSelect>
          </label>
          <PortField port={s.port} label="Mirror port" onSave={(port) => update.mutate({ mirror: { port } })} />
          <label className="block space-y-1 text-sm font-medium">
            Per client
            <NativeSelect
              className="w-full"
              value={String(s.rateLimit)}
              aria-label="Rate limit per client"
              onChange={(e) => update.mutate({ mirror: { rateLimit: Number(e.target.value) } })}
            >
              {rates.map((r) => (
                <option key={r} value={r}>
                  {r === 0 ? 'No limit' : `${formatBytes(r)}/s`}
                </option>
              ))}
            </NativeSelect>
          </label>
        </div>
        {view?.warning ? <p className="text-sm text-warning">{view.warning}</p> : null}
        <label className="block space-y-1 text-sm font-medium">
          Networks allowed <span className="font-normal text-muted-foreground">(optional; any that reaches the port when empty)</span>
          <Input
            value={allow}
            placeholder="192.168.1.0/24 10.0.0.0/8"
            aria-label="Networks allowed"
            onChange={(e) => setAllowDraft(e.target.value)}
            onBlur={() => {
              if (allow.trim() !== s.allow) update.mutate({ mirror: { allow: allow.trim() } });
              setAllowDraft(null);
            }}
          />
        </label>
        <label className="flex items-center gap-2 text-sm">
          <Switch
            checked={s.pullThrough}
            onCheckedChange={(pullThrough) => update.mutate({ mirror: { pullThrough } })}
            aria-label="Fetch what the cache lacks"
          />
          Fetch public models this cache lacks from the Hub, once (they show on the Downloads page)
        </label>
        {view?.error ? <ErrorNotice error={new Error(view.error)} /> : null}
        {view?.running && endpoint ? (
          <div className="space-y-2 text-sm" data-testid="mirror-running">
            <p className="text-muted-foreground">On each machine, before Python, hf, transformers or llama.cpp:</p>
            <div className="flex flex-wrap items-center gap-2">
              <code className="min-w-0 break-all rounded-md bg-muted px-2 py-1 font-mono text-xs" data-testid="mirror-endpoint">
                HF_ENDPOINT={endpoint}
              </code>
              <Button
                size="sm"
                onClick={() => reveal.mutate(undefined, { onSuccess: ({ endpoint: full }) => copy.mutate(`HF_ENDPOINT=${full}`) })}
                aria-label="Copy the line"
              >
                {copied ? <Check /> : <Copy />}
                Copy
              </Button>
            </div>
            <KeyRow
              shown={view.key?.masked ?? '…'}
              source={view.key?.source ?? null}
              envVar="HUBCAP_MIRROR_KEY"
              onShow={() => reveal.mutate()}
              onRegenerate={() => regenerate.mutate(undefined, { onSuccess: () => reveal.reset() })}
            />
          </div>
        ) : null}
        {f && view?.running ? (
          <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4" aria-label="Sharing figures">
            <Figure label="Clients connected" value={`${f.connected} (${f.clients} seen)`} />
            <Figure label="Served from this cache" value={formatBytes(f.bytesFromCache)} />
            <Figure label="Passed on while fetching" value={formatBytes(f.bytesWhilePulling)} />
            <Figure label="Fetched from the Hub" value={formatBytes(f.bytesUpstream)} />
          </dl>
        ) : null}
        {update.error ? <ErrorNotice error={update.error} /> : null}
        {reveal.error ? <ErrorNotice error={reveal.error} /> : null}
        {regenerate.error ? <ErrorNotice error={regenerate.error} /> : null}
      </CardBody>
    </Card>
  );
}
