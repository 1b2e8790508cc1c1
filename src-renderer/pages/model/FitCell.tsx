import type { ModelDetails } from '../../../src-main/contract/model';
import { useHubFit } from '../../api/gallery';
import { useModelFit } from '../../api/inference';
import { FitBadge } from '../../components/FitBadge';
import { Tooltip } from '../../components/ui/tooltip';

/**
 * Whether one GGUF fits this machine: node-llama-cpp's estimate from the file's header, read over
 * HTTP ranges from the Hub, or from the file itself once it is here (the only way offline).
 */
export function FitCell({ model, path, libraryKey }: { model: ModelDetails; path: string; libraryKey: string | null }) {
  const offline = model.source === 'cache';
  // Online the header is read over ranges (no inference process needed); offline only the file can tell.
  const remote = useHubFit(model.id, model.sha, path, !offline);
  const local = useModelFit(offline ? (libraryKey ?? '') : '', {});
  const fit = offline ? local : remote;
  if (offline && !libraryKey) return <span className="text-xs text-muted-foreground">—</span>;
  if (fit.data) return <FitBadge fit={fit.data} />;
  if (fit.error)
    return (
      <Tooltip content={fit.error.message}>
        <span className="text-xs text-muted-foreground" data-testid="fit-unknown">
          unknown
        </span>
      </Tooltip>
    );
  return <span className="text-xs text-muted-foreground">estimating…</span>;
}
