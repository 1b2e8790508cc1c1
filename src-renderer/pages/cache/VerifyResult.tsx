import type { VerifyView } from '../../../src-main/contract/cache';
import { plural } from '../../../src-main/contract/present/format';
import { Button } from '../../components/ui/button';

/** What verify found: all good, corrupt blobs with a repair button, copies it could not check. */
export function VerifyResult({ result, onRepair, repairing }: { result: VerifyView; onRepair: () => void; repairing: boolean }) {
  const corrupt = result.corrupt.length;
  const unverifiable = result.unverifiable.length;
  return (
    <>
      {corrupt ? (
        <div role="alert" className="space-y-2 rounded-md border border-danger/40 bg-danger/10 p-3 text-sm text-danger">
          <p>
            {corrupt} of {plural(result.checked, 'blob')} {corrupt === 1 ? 'is' : 'are'} corrupt: {result.corrupt.flatMap((c) => c.files).join(', ')}
          </p>
          {result.corrupt.some((c) => c.changedInPlace) ? (
            <p data-testid="verify-changed-in-place">
              Changed in place by another program:{' '}
              {result.corrupt
                .filter((c) => c.changedInPlace)
                .flatMap((c) => c.files)
                .join(', ')}{' '}
              shares its bytes with another app&apos;s file (a hard link), and that app rewrote it. Re-downloading gives the cache its own copy.
            </p>
          ) : null}
          <Button size="sm" onClick={onRepair} disabled={repairing}>
            Re-download the corrupt files
          </Button>
        </div>
      ) : (
        <p className="text-sm text-success" data-testid="verify-ok">
          {result.checked === 1 ? 'The one blob matches its hash.' : `All ${result.checked} blobs match their hashes.`}
        </p>
      )}
      {unverifiable ? (
        <p className="text-sm text-warning" data-testid="verify-unverifiable">
          {plural(unverifiable, 'copied file')} could not be checked: no record of {unverifiable === 1 ? 'its' : 'their'} hash here, and the Hub was not asked
          (offline).
        </p>
      ) : null}
    </>
  );
}
