import type { ModelDetails } from '../../../src-main/contract/model';
import { useHubFit } from '../../api/gallery';
import { FitBadge } from '../../components/FitBadge';
import { Tooltip } from '../../components/ui/tooltip';

/** Whether one GGUF fits this machine: node-llama-cpp's estimate from the file's header alone. */
export function FitCell({ model, path }: { model: ModelDetails; path: string }) {
  const fit = useHubFit(model.id, model.sha, path);
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
