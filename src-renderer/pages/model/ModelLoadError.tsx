import { ApiError } from '../../../src-main/contract/errors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Button } from '../../components/ui/button';
import { GatedNotice } from './GatedNotice';

/**
 * The model could not be read: a gated one says how to get access, anything else can be retried;
 * at another revision than main, main can be shown instead.
 */
export function ModelLoadError({
  id,
  error,
  signedIn,
  revision,
  onRetry,
  onMain,
}: {
  id: string;
  error: Error;
  signedIn: boolean;
  revision: string;
  onRetry: () => void;
  onMain: () => void;
}) {
  return (
    <div className="space-y-3">
      <h1 className="truncate text-2xl font-semibold tracking-tight">{id}</h1>
      {error instanceof ApiError && error.code === 'GATED' ? (
        <GatedNotice repoUrl={(error.details as { repoUrl?: string } | undefined)?.repoUrl ?? ''} signedIn={signedIn} />
      ) : (
        <ErrorNotice error={error} onRetry={onRetry} />
      )}
      {revision !== 'main' ? (
        <Button size="sm" onClick={onMain}>
          Show main instead
        </Button>
      ) : null}
    </div>
  );
}
