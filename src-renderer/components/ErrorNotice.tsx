import { AlertTriangle } from 'lucide-react';
import { ApiError } from '../../src-main/contract/errors';
import { errorMessage } from '../api/client';

/** One clear sentence for an error, with its code for bug reports. */
export function ErrorNotice({ error, className }: { error: unknown; className?: string }) {
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div role="alert" className={`flex items-start gap-2 rounded-md border border-danger/40 bg-danger/10 px-3 py-2 text-sm text-danger ${className ?? ''}`}>
      <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>
        {errorMessage(error)}
        {code ? <span className="ml-2 font-mono text-xs opacity-70">{code}</span> : null}
      </span>
    </div>
  );
}
