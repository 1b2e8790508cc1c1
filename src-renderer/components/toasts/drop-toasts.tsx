import { useEffect, useRef } from 'react';
import { CheckCircle2, XCircle } from 'lucide-react';
import { formatBytes } from '../../../src-main/contract/present/format';
import type { DropState } from '../../api/library';
import { Progress } from '../ui/progress';
import { dismissToast, showToast } from './store';

const UPLOADING = 'drop-uploading';

/**
 * What a drop did, as toasts: a running upload stays (it is still happening); its result then
 * replaces the last drop's result (so a "same file already there" notice clears when the next drop
 * succeeds), and goes by itself: 5 s when all went in, 10 s when something was refused.
 */
export function useDropToasts(state: DropState, clear: () => void): void {
  const n = useRef(0);
  useEffect(() => {
    const { uploading, result, error } = state;
    if (uploading) {
      showToast({
        id: UPLOADING,
        tone: 'info',
        sticky: true,
        title: 'Adding to your Library…',
        testId: 'drop-uploading',
        body: (
          <>
            <p className="truncate text-xs text-muted-foreground">
              {uploading.name}: {formatBytes(uploading.sent)} of {formatBytes(uploading.total)}
            </p>
            <Progress value={(uploading.sent / Math.max(1, uploading.total)) * 100} label={`Uploading ${uploading.name}`} />
          </>
        ),
      });
      return;
    }
    dismissToast(UPLOADING);
    if (!result && !error) return;
    n.current += 1;
    const refused = Boolean(error) || Boolean(result?.skipped.length);
    showToast({
      id: `drop-${n.current}`,
      group: 'drop',
      tone: refused ? 'error' : 'success',
      title: 'Library',
      testId: 'drop-result',
      body: (
        <>
          {result?.added.map((a) => (
            <p key={a.key} className="flex items-start gap-2 text-sm text-success">
              <CheckCircle2 className="mt-0.5 size-4 shrink-0" /> Added {a.name}
            </p>
          ))}
          {result?.skipped.map((s) => (
            <p key={s.path} className="flex items-start gap-2 text-sm text-danger">
              <XCircle className="mt-0.5 size-4 shrink-0" />
              <span>
                <b>{s.path.split(/[\\/]/).pop()}</b>: {s.reason}
              </span>
            </p>
          ))}
          {error ? <p className="text-sm text-danger">{error}</p> : null}
        </>
      ),
    });
    // Shown: the next drop starts from nothing.
    clear();
  }, [state, clear]);
}
