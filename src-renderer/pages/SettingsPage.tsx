import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { AlertTriangle, Cpu, Download, FolderCog, Globe, Info, Monitor, Moon, Palette, RefreshCw, RotateCcw, Sun } from 'lucide-react';
import type { CacheDirSource, SettingsPatch, SettingsView, Theme } from '../../src-main/contract/settings';
import { useApi, useApiQuery } from '../api/context';
import { PageHeader } from '../components/PageHeader';
import { PathField } from '../components/PathField';
import { ErrorNotice } from '../components/ErrorNotice';
import { Badge } from '../components/ui/badge';
import { Button } from '../components/ui/button';
import { Card, CardBody, CardHeader } from '../components/ui/card';
import { Input } from '../components/ui/input';
import { Switch } from '../components/ui/switch';
import { cn } from '../lib/cn';
import { InferenceSettingsCard } from '../components/InferenceSettingsCard';

const SOURCE_TEXT: Record<CacheDirSource, string> = {
  setting: 'Set in Hubcap',
  HF_HUB_CACHE: 'From HF_HUB_CACHE',
  HUGGINGFACE_HUB_CACHE: 'From HUGGINGFACE_HUB_CACHE',
  HF_HOME: 'From HF_HOME',
  XDG_CACHE_HOME: 'From XDG_CACHE_HOME',
  default: 'Default location',
};

function useUpdateSettings() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: SettingsPatch) => api.call('settings.update', patch),
    onSuccess: (view) => client.setQueryData(['settings.get', {}], view),
  });
}

function CacheCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  const [draft, setDraft] = useState(settings.hubCache.path);
  const { hubCache } = settings;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ hubCacheDir: draft });
  };
  return (
    <Card>
      <CardHeader
        icon={<FolderCog />}
        title="Hugging Face cache"
        description="Where downloaded models live. Shared with Python tools (transformers, diffusers, hf) that use the same folder."
      />
      <CardBody>
        <PathField label="Cache folder" path={hubCache.path} place="hubCache" testId="cache-path" />
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Badge tone={hubCache.source === 'setting' ? 'primary' : 'neutral'} data-testid="cache-source">
            {SOURCE_TEXT[hubCache.source]}
          </Badge>
          {hubCache.exists ? null : <span className="text-muted-foreground">Does not exist yet; it is created on the first download.</span>}
        </div>
        <form onSubmit={submit} className="space-y-2">
          <label htmlFor="cache-dir" className="text-sm font-medium">
            Change location
          </label>
          <div className="flex gap-2">
            <Input
              id="cache-dir"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              spellCheck={false}
              aria-invalid={update.isError || undefined}
              className="font-mono"
            />
            <Button type="submit" variant="primary" disabled={update.isPending || draft.trim() === hubCache.path}>
              Save
            </Button>
            {hubCache.source === 'setting' ? (
              <Button onClick={() => update.mutate({ hubCacheDir: null })} disabled={update.isPending}>
                <RotateCcw />
                Use {hubCache.withoutSetting.source === 'default' ? 'default' : hubCache.withoutSetting.source}
              </Button>
            ) : null}
          </div>
          <p className="text-xs text-muted-foreground">
            Order of precedence: this setting, then HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME/hub, XDG_CACHE_HOME/huggingface/hub, then
            ~/.cache/huggingface/hub. Without this setting Hubcap would use <code className="font-mono">{hubCache.withoutSetting.path}</code>. Changing it does
            not move existing files.
          </p>
          {update.error ? <ErrorNotice error={update.error} /> : null}
        </form>
      </CardBody>
    </Card>
  );
}

function HubCard({ settings }: { settings: SettingsView }) {
  const api = useApi();
  const client = useQueryClient();
  const update = useUpdateSettings();
  const hub = useApiQuery('hub.status', {});
  const check = useMutation({
    mutationFn: () => api.call('hub.checkNow', {}),
    onSuccess: (s) => client.setQueryData(['hub.status', {}], s),
  });
  const forced = settings.offline.source === 'HF_HUB_OFFLINE';
  return (
    <Card>
      <CardHeader icon={<Globe />} title="Hub connection" description="The only server Hubcap talks to is the Hub endpoint below." />
      <CardBody>
        <div className="grid grid-cols-[10rem_1fr] items-center gap-y-3 text-sm">
          <span className="text-muted-foreground">Endpoint</span>
          <span className="flex items-center gap-2">
            <code className="font-mono" data-testid="endpoint">
              {settings.endpoint.url}
            </code>
            <Badge>{settings.endpoint.source === 'HF_ENDPOINT' ? 'From HF_ENDPOINT' : 'Default'}</Badge>
          </span>
          <span className="text-muted-foreground">Status</span>
          <span className="flex items-center gap-2">
            <span data-testid="hub-reachability">
              {
                { online: 'Reachable', unreachable: 'Unreachable', 'offline-mode': 'Not contacted (offline mode)', checking: 'Checking…' }[
                  hub.data?.reachability ?? 'checking'
                ]
              }
            </span>
            <Button size="sm" variant="ghost" onClick={() => check.mutate()} disabled={check.isPending || settings.offline.enabled}>
              <RefreshCw className={cn(check.isPending && 'animate-spin')} />
              Check now
            </Button>
          </span>
          {hub.data?.detail ? (
            <>
              <span />
              <span className="-mt-2 text-xs text-muted-foreground">{hub.data.detail}</span>
            </>
          ) : null}
        </div>
        <div className="flex items-start justify-between gap-6 rounded-lg border border-border p-4">
          <div>
            <label htmlFor="offline" className="text-sm font-medium">
              Offline mode
            </label>
            <p className="mt-0.5 text-sm text-muted-foreground">
              {forced
                ? 'Forced on by HF_HUB_OFFLINE in the environment. Hubcap makes no network request and uses only what is in the cache.'
                : 'Make no network request at all; use only what is already in the cache (like HF_HUB_OFFLINE=1).'}
            </p>
          </div>
          <Switch
            id="offline"
            checked={settings.offline.enabled}
            disabled={forced || update.isPending}
            onCheckedChange={(offline) => update.mutate({ offline })}
          />
        </div>
        <p className="flex items-start gap-2 text-xs text-muted-foreground">
          <Info className="mt-0.5 size-3.5 shrink-0" aria-hidden />
          Hubcap sends no telemetry. Unasked, it only checks once at start that the endpoint answers (no token, no identifiers); everything else happens when
          you search, download or sign in. HF_ENDPOINT can only be set in the environment, so the UI can never redirect your token elsewhere.
        </p>
        {update.error ? <ErrorNotice error={update.error} /> : null}
      </CardBody>
    </Card>
  );
}

const THEME_CHOICES: { value: Theme; label: string; icon: typeof Sun }[] = [
  { value: 'system', label: 'System', icon: Monitor },
  { value: 'light', label: 'Light', icon: Sun },
  { value: 'dark', label: 'Dark', icon: Moon },
];

function AppearanceCard({ settings }: { settings: SettingsView }) {
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

function Stepper({ label, value, onChange, id, help }: { label: string; value: number; onChange: (v: number) => void; id: string; help: string }) {
  return (
    <div className="flex items-center justify-between gap-6">
      <div>
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <p className="text-xs text-muted-foreground">{help}</p>
      </div>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(Number(e.target.value))}
        className="h-9 rounded-md border border-input bg-background px-2 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
      >
        {[1, 2, 3, 4, 5, 6, 7, 8].map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </div>
  );
}

function DownloadsCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  return (
    <Card>
      <CardHeader icon={<Download />} title="Downloads" />
      <CardBody>
        <Stepper
          id="concurrency"
          label="Files at once"
          value={settings.downloads.concurrency}
          onChange={(v) => update.mutate({ downloadConcurrency: v })}
          help="How many files download at the same time, across all downloads."
        />
        <Stepper
          id="connections"
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

function DataCard({ settings }: { settings: SettingsView }) {
  return (
    <Card>
      <CardHeader
        icon={<FolderCog />}
        title="Hubcap’s data"
        description="Settings, the download queue, your Library list and saved conversations. Never your token: that lives in the OS keychain."
      />
      <CardBody>
        <PathField label="Data folder" path={settings.dataDir} place="dataDir" testId="data-dir" />
        <PathField label="Settings file" path={settings.settingsFile} />
      </CardBody>
    </Card>
  );
}

function AboutCard() {
  const info = useApiQuery('app.info', {});
  const v = info.data?.versions;
  const rows: [string, string][] = v
    ? [
        ['Hubcap', v.app],
        ['Running as', info.data?.transport === 'serve' ? 'hubcap serve (browser UI)' : 'Desktop app'],
        ['Electron', v.electron ?? 'not running in Electron'],
        ['Chromium', v.chrome ?? '—'],
        ['Node.js', v.node],
        ['node-llama-cpp', v.nodeLlamaCpp ?? 'not installed'],
        ['Platform', info.data?.platform ?? ''],
      ]
    : [];
  return (
    <Card>
      <CardHeader icon={<Cpu />} title="About" />
      <CardBody>
        <dl className="grid grid-cols-[10rem_1fr] gap-y-1.5 text-sm" data-testid="versions">
          {rows.map(([k, val]) => (
            <div key={k} className="contents">
              <dt className="text-muted-foreground">{k}</dt>
              <dd className="font-mono">{val}</dd>
            </div>
          ))}
        </dl>
      </CardBody>
    </Card>
  );
}

export function SettingsPage() {
  const settings = useApiQuery('settings.get', {});
  return (
    <div className="mx-auto max-w-4xl space-y-6 p-8">
      <PageHeader title="Settings" description="Where things live on disk and how Hubcap talks to the Hub." />
      {settings.error ? <ErrorNotice error={settings.error} /> : null}
      {settings.data?.warnings.map((w) => (
        <div key={w} role="alert" className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm text-warning">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
          {w}
        </div>
      ))}
      {settings.data ? (
        <>
          {/* Keyed by the path: the draft starts over whenever the saved location changes. */}
          <CacheCard key={settings.data.hubCache.path} settings={settings.data} />
          <HubCard settings={settings.data} />
          <DownloadsCard settings={settings.data} />
          <InferenceSettingsCard settings={settings.data} />
          <AppearanceCard settings={settings.data} />
          <DataCard settings={settings.data} />
          <AboutCard />
        </>
      ) : null}
    </div>
  );
}
