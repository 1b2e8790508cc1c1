import { useEffect, useState } from 'react';
import type { RetryState } from '../../../src-main/contract/downloads';

/** "Retrying in 4 s (attempt 2 of 8)", counting down live; the reason is one hover away. */
export function RetryCountdown({ retry }: { retry: RetryState }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  const seconds = Math.max(0, Math.ceil((Date.parse(retry.nextAt) - now) / 1000));
  return (
    <span className="text-warning" data-testid="job-retrying" title={retry.message}>
      {retry.message.replace(/\.$/, '')}: {seconds > 0 ? `retrying in ${seconds} s` : 'retrying now'} (attempt {retry.attempt} of {retry.maxAttempts})
    </span>
  );
}
