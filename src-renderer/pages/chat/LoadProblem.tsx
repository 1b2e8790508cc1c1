import { TriangleAlert } from 'lucide-react';
import { ApiError } from '../../../src-main/contract/errors';
import type { InferenceStatus } from '../../../src-main/contract/inference';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';

/**
 * What went wrong, once: a load refused for not fitting (with Load anyway), another load error,
 * else the host's last problem with this model (or its crash), else the fit estimate's error.
 */
export function LoadProblem({
  loadError,
  wontFit,
  problem,
  fitError,
  onForce,
}: {
  loadError: Error | null;
  wontFit: boolean;
  problem: InferenceStatus['problem'];
  fitError: Error | null;
  onForce: () => void;
}) {
  return (
    <>
      {wontFit ? (
        <div role="alert" className="flex flex-wrap items-center gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm">
          <TriangleAlert className="size-4 text-warning" />
          <span className="flex-1">{loadError?.message}</span>
          <Button size="sm" variant="danger" onClick={onForce}>
            Load anyway
          </Button>
        </div>
      ) : loadError ? (
        <ErrorNotice error={loadError} />
      ) : null}
      {problem && !loadError ? <ErrorNotice error={new ApiError(problem.kind === 'crash' ? 'HOST_CRASHED' : 'LOAD_FAILED', problem.message)} /> : null}
      {fitError && !loadError && !problem ? <ErrorNotice error={fitError} /> : null}
    </>
  );
}
