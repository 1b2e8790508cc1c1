import { Link } from 'wouter';
import { RotateCcw, WifiOff } from 'lucide-react';
import { plainError } from '../lib/plain-error';
import { Button } from './ui/button';

/**
 * The Hub down said calmly, as offline is: what is shown comes from this machine, Retry asks the
 * Hub again, and what went wrong stays in a details line for bug reports.
 */
export function HubDownNotice({
  title,
  problem,
  onRetry,
  retrying = false,
  library = false,
}: {
  /** One plain sentence, e.g. "Hub unreachable, showing what's on this machine." */
  title: string;
  problem: unknown;
  onRetry: () => void;
  retrying?: boolean;
  /** Offer the Library (where everything on this machine is). */
  library?: boolean;
}) {
  const detail = plainError(problem).detail;
  return (
    <div role="status" data-testid="hub-down" className="flex flex-wrap items-start gap-3 rounded-xl border border-warning/40 bg-warning/10 px-4 py-3 text-sm">
      <WifiOff className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden />
      <div className="min-w-0 flex-1 space-y-1">
        <p className="font-medium">{title}</p>
        {detail ? (
          <details className="text-xs text-muted-foreground">
            <summary className="cursor-pointer select-none">Details</summary>
            <code className="font-mono break-all">{detail}</code>
          </details>
        ) : null}
      </div>
      <div className="flex gap-2">
        {library ? (
          <Button size="sm" asChild>
            <Link href="/library">Open the Library</Link>
          </Button>
        ) : null}
        <Button size="sm" variant="primary" onClick={onRetry} disabled={retrying}>
          <RotateCcw />
          {retrying ? 'Trying…' : 'Retry'}
        </Button>
      </div>
    </div>
  );
}
