import { AlertTriangle, RotateCcw } from 'lucide-react';
import { ApiError } from '../../src-main/contract/errors';
import { plainError } from '../lib/plain-error';
import { Button } from './ui/button';

/** Failures worth trying again as they are: the Hub or the network, not the request itself. */
const TRANSIENT = new Set(['NETWORK', 'SERVER_ERROR', 'RATE_LIMITED', 'DISCONNECTED']);

/**
 * One clear sentence for an error; its code and raw message in a details line for bug reports,
 * never in the sentence. With `onRetry`, an error that asking again may fix (the Hub down, the
 * network gone) offers Retry.
 */
export function ErrorNotice({ error, className, onRetry }: { error: unknown; className?: string; onRetry?: () => void }) {
  const code = error instanceof ApiError ? error.code : null;
  const retry = onRetry && (code === null || TRANSIENT.has(code));
  const plain = plainError(error);
  return (
    <div role="alert" className={`flex items-start gap-2 rounded-md border border-danger/40 bg-danger/10 px-3 py-2 text-sm text-danger ${className ?? ''}`}>
      <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span className="min-w-0 flex-1">
        {plain.text}
        {plain.detail ? (
          <details className="mt-1 text-xs opacity-80" data-testid="error-details">
            <summary className="cursor-pointer select-none">Details</summary>
            <code className="font-mono break-all">{plain.detail}</code>
          </details>
        ) : null}
      </span>
      {retry ? (
        <Button size="sm" variant="ghost" className="-my-1 text-danger" onClick={onRetry}>
          <RotateCcw />
          Retry
        </Button>
      ) : null}
    </div>
  );
}
