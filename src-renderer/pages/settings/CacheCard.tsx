import { useState, type FormEvent } from 'react';
import { FolderCog, FolderInput, RotateCcw } from 'lucide-react';
import { formatBytes } from '../../../src-main/contract/present/format';
import { useMoveCache } from '../../api/cache';
import type { CacheDirSource, SettingsView } from '../../../src-main/contract/settings';
import { useUpdateSettings } from '../../api/settings';
import { BrowseButton } from '../../components/FolderPicker';
import { PathField } from '../../components/PathField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Badge } from '../../components/ui/badge';
import { Button } from '../../components/ui/button';
import { Card, CardBody, CardHeader } from '../../components/ui/card';
import { Input } from '../../components/ui/input';
import { Switch } from '../../components/ui/switch';

const SOURCE_TEXT: Record<CacheDirSource, string> = {
  setting: 'Set in Hubcap',
  HF_HUB_CACHE: 'From HF_HUB_CACHE',
  HUGGINGFACE_HUB_CACHE: 'From HUGGINGFACE_HUB_CACHE',
  HF_HOME: 'From HF_HOME',
  XDG_CACHE_HOME: 'From XDG_CACHE_HOME',
  default: 'Default location',
};

/** Where the cache is, why it is there (setting, environment or default) and how to move it. */
export function CacheCard({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  const move = useMoveCache();
  const [draft, setDraft] = useState(settings.hubCache.path);
  const { hubCache } = settings;
  // A new location (saved, moved, or changed elsewhere) becomes the draft; a move's result stays shown.
  const [shown, setShown] = useState(hubCache.path);
  if (shown !== hubCache.path) {
    setShown(hubCache.path);
    setDraft(hubCache.path);
  }
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
          <div className="flex flex-wrap gap-2">
            <Input
              id="cache-dir"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              spellCheck={false}
              aria-invalid={update.isError || undefined}
              className="min-w-64 flex-1 font-mono"
            />
            {/* A folder picked here may be a parent: add a new folder's name after it to start one. */}
            <BrowseButton title="Choose where the cache goes" onPick={([p]) => p && setDraft(p)} />
            <Button type="submit" variant="primary" disabled={update.isPending || draft.trim() === hubCache.path}>
              Save
            </Button>
            {hubCache.exists ? (
              <Button onClick={() => move.mutate(draft.trim())} disabled={move.isPending || draft.trim() === hubCache.path} data-testid="move-cache">
                <FolderInput />
                {move.isPending ? 'Moving…' : 'Move the cache there'}
              </Button>
            ) : null}
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
            not move existing files; “Move the cache there” does (to a new or empty folder, another drive too; if it is interrupted, the same move continues
            where it stopped).
          </p>
          {update.error ? <ErrorNotice error={update.error} /> : null}
          {move.error ? <ErrorNotice error={move.error} /> : null}
          {move.data ? (
            <p className="text-xs text-success" data-testid="moved">
              Moved {formatBytes(move.data.bytes)} to {move.data.to}. {move.data.pythonNote}
            </p>
          ) : null}
        </form>
        <SharedStore settings={settings} />
      </CardBody>
    </Card>
  );
}

/** huggingface_hub 2.x's shared blob store: which this cache is, and whether Hubcap may make one. */
function SharedStore({ settings }: { settings: SettingsView }) {
  const update = useUpdateSettings();
  const { state, create, disabledBy } = settings.sharedStore;
  const now = disabledBy
    ? `${disabledBy} is set, so neither Python nor Hubcap uses the shared store here.`
    : state === 'v1'
      ? 'This cache has the shared blob store: each Xet-stored file is kept once for every repo that has it, as huggingface_hub 2.x does.'
      : state === 'none'
        ? create
          ? 'This cache is plain; Hubcap makes the shared store on the next download of a Xet-stored file, as huggingface_hub 2.x would.'
          : 'This cache is plain, and Hubcap keeps it so. (huggingface_hub 2.x makes the shared store on its first download of a Xet-stored file.)'
        : 'This cache has a blobs/ folder Hubcap does not recognise as the shared store (another layout version?): it is left alone.';
  return (
    <div className="space-y-1 border-t border-border pt-3" data-testid="shared-store">
      <label className="flex items-center gap-2 text-sm font-medium">
        <Switch
          checked={create}
          disabled={update.isPending || disabledBy !== null}
          onCheckedChange={(v) => update.mutate({ createSharedStore: v })}
          aria-label="Make the shared blob store in a plain cache"
        />
        Make the shared blob store in a plain cache
      </label>
      <p className="text-xs text-muted-foreground" data-testid="shared-store-state">
        {now}
      </p>
    </div>
  );
}
