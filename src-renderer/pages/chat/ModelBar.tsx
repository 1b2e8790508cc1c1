import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { MessageSquarePlus, MessagesSquare, Power, TriangleAlert, Zap } from 'lucide-react';
import { useInferenceStatus, useLoadModel, useModelFit, useUnloadModel } from '../../api/inference';
import { useLibrary } from '../../api/library';
import { FitBadge } from '../../components/FitBadge';
import { Button } from '../../components/ui/button';
import { Progress } from '../../components/ui/progress';
import { LoadedModelLine } from './LoadedModelLine';
import { LoadOptions, type Overrides } from './LoadOptions';
import { LoadProblem } from './LoadProblem';
import { chatModels, pickedKey, problemFor, wontFitEstimate } from './model-choice';
import { ModelPicker } from './ModelPicker';

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
  const models = chatModels(library.data ?? []);
  const loaded = status.data?.model ?? null;
  const [selected, setSelected] = useState<string>(autoLoad ?? '');
  const [overrides, setOverrides] = useState<Overrides>({});
  const key = pickedKey({ selected, loaded: loaded?.key ?? null, preferred: preferredKey, models });
  const fit = useModelFit(key, overrides);
  const load = useLoadModel();
  const unload = useUnloadModel();

  const { mutate: startLoad } = load;
  useEffect(() => {
    // Once, as the page opens: before any load option could be changed.
    if (autoLoad) startLoad({ key: autoLoad, settings: {} });
  }, [autoLoad, startLoad]);

  const loading = status.data?.loading ?? null;
  const problem = problemFor(status.data?.problem ?? null, key);
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
        <ModelPicker
          models={models}
          value={key}
          loadedKey={loaded?.key ?? null}
          onPick={(k) => {
            setSelected(k);
            load.reset();
          }}
        />
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
      {loaded && !loading ? <LoadedModelLine loaded={loaded} isPicked={isLoaded} /> : null}
      {loaded?.fitWarning ? (
        <p className="flex items-center gap-1.5 text-xs text-warning">
          <TriangleAlert className="size-3.5" /> Loaded against the estimate: {loaded.fitWarning}
        </p>
      ) : null}
      <LoadProblem
        loadError={load.error}
        wontFit={Boolean(wontFitEstimate(load.error))}
        problem={problem}
        fitError={fit.error}
        onForce={() => load.mutate({ key, settings: overrides, force: true })}
      />
    </div>
  );
}
