import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { Cpu, MessageSquarePlus, MessagesSquare, Power, TriangleAlert, Zap } from 'lucide-react';
import { ApiError } from '../../../src-main/contract/errors';
import type { FitEstimate } from '../../../src-main/contract/inference';
import { useInferenceStatus, useLoadModel, useModelFit, useUnloadModel } from '../../api/inference';
import { useLibrary } from '../../api/library';
import { ErrorNotice } from '../../components/ErrorNotice';
import { FitBadge } from '../../components/FitBadge';
import { Button } from '../../components/ui/button';
import { NativeSelect } from '../../components/ui/native-select';
import { Progress } from '../../components/ui/progress';
import { LoadOptions, type Overrides } from './LoadOptions';

/**
 * Pick a Library GGUF, see whether it fits, load or unload it; shows loading progress and what went
 * wrong, once. The picker shows what the user picked, else the loaded model, else the open
 * conversation's model (so an unload or a reload does not jump to another), else the first one.
 */
export function ModelBar({
  preferredKey,
  autoLoad,
  chats,
  onNewChat,
}: {
  preferredKey: string | null;
  /** Asked for from elsewhere ("Chat with this model"): selected and loaded as the page opens. */
  autoLoad: string | null;
  /** The conversations, shown and hidden from here (a column when wide, a panel when narrow). */
  chats: { open: boolean; toggle: () => void };
  /** While the list (and its New chat) is out of sight, New chat is here. */
  onNewChat: (() => void) | null;
}) {
  const status = useInferenceStatus();
  const library = useLibrary();
  // Files whose header is not a model's are marked in the Library and never offered here.
  const models = (library.data ?? []).filter((i) => i.kind === 'gguf' && !i.missing && !i.problem);
  const loaded = status.data?.model ?? null;
  const [selected, setSelected] = useState<string>(autoLoad ?? '');
  const [overrides, setOverrides] = useState<Overrides>({});
  const known = (k: string | null | undefined) => (k && models.some((m) => m.key === k) ? k : '');
  const key = selected || loaded?.key || known(preferredKey) || models[0]?.key || '';
  const fit = useModelFit(key, overrides);
  const load = useLoadModel();
  const unload = useUnloadModel();

  const { mutate: startLoad } = load;
  useEffect(() => {
    // Once, as the page opens: before any load option could be changed.
    if (autoLoad) startLoad({ key: autoLoad, settings: {} });
  }, [autoLoad, startLoad]);

  const loading = status.data?.loading ?? null;
  // A failed load is about one model: it clears when another is picked. A crash concerns all.
  const problem = status.data?.problem?.kind === 'crash' || status.data?.problem?.key === key ? (status.data?.problem ?? null) : null;
  const wontFit = load.error instanceof ApiError && load.error.code === 'WONT_FIT' ? (load.error.details as { fit?: FitEstimate } | undefined)?.fit : undefined;
  const isLoaded = loaded?.key === key;
  return (
    <div className="space-y-2 border-b border-border px-4 py-3">
      <div className="flex flex-wrap items-center gap-2">
        <Button size="icon" variant="ghost" aria-label={chats.open ? 'Hide chats' : 'Show chats'} aria-pressed={chats.open} onClick={chats.toggle}>
          <MessagesSquare />
        </Button>
        {onNewChat ? (
          <Button size="icon" variant="ghost" aria-label="New chat" onClick={onNewChat}>
            <MessageSquarePlus />
          </Button>
        ) : null}
        <label htmlFor="model-picker" className="sr-only">
          Model
        </label>
        <NativeSelect
          id="model-picker"
          value={key}
          onChange={(e) => {
            setSelected(e.target.value);
            load.reset();
          }}
          // Never squeezed until its names are cut: below 16rem it takes a line of its own.
          className="min-w-64 max-w-md flex-1"
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
        </NativeSelect>
        <LoadOptions value={overrides} onChange={setOverrides} />
        {fit.data ? <FitBadge fit={fit.data} /> : null}
        {isLoaded ? (
          <Button onClick={() => unload.mutate()} disabled={unload.isPending}>
            <Power />
            Unload
          </Button>
        ) : (
          <Button variant="primary" onClick={() => load.mutate({ key, settings: overrides })} disabled={!key || loading !== null}>
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
          {/* These figures are the loaded model's: when another is picked, the line says whose they are. */}
          {isLoaded ? null : (
            <span className="text-warning" data-testid="picked-not-loaded">
              Not loaded yet: the chat answers with
            </span>
          )}
          <span className="font-medium text-foreground">{loaded.name}</span>
          <span>
            {loaded.backend === 'cpu' ? <Cpu className="inline size-3.5" /> : null} {loaded.backend.toUpperCase()}
          </span>
          <span>
            {loaded.gpuLayers}/{loaded.totalLayers} layers on GPU
          </span>
          <span>{loaded.contextSize.toLocaleString()}-token context</span>
          <span>{loaded.chatTemplate} template</span>
          <span title={loaded.threadsReason ? `Chosen by Hubcap: ${loaded.threadsReason}` : 'Set in Settings'}>
            {loaded.threads} CPU thread{loaded.threads === 1 ? '' : 's'}
          </span>
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
          <Button size="sm" variant="danger" onClick={() => load.mutate({ key, settings: overrides, force: true })}>
            Load anyway
          </Button>
        </div>
      ) : load.error ? (
        <ErrorNotice error={load.error} />
      ) : null}
      {problem && !load.error ? <ErrorNotice error={new ApiError(problem.kind === 'crash' ? 'HOST_CRASHED' : 'LOAD_FAILED', problem.message)} /> : null}
      {fit.error && !load.error && !problem ? <ErrorNotice error={fit.error} /> : null}
    </div>
  );
}
