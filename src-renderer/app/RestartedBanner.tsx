import { TriangleAlert } from 'lucide-react';
import { useConnectionState } from '../api/context';

/**
 * `hubcap serve` restarted with a new key: this tab's session is gone for good. Said over the
 * whole app, with what to do, instead of "reconnecting" forever.
 */
export function RestartedBanner() {
  const connection = useConnectionState();
  if (connection !== 'restarted') return null;
  return (
    <div role="alert" data-testid="restarted-banner" className="flex items-start gap-3 border-b border-danger/40 bg-danger/10 px-4 py-3 text-sm text-danger">
      <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="flex-1">
        <p className="font-medium">Hubcap restarted: open the new address.</p>
        <p className="text-danger/90">
          The server this tab was talking to stopped, and the one running now has a new access key. Open the full address <code>hubcap serve</code> printed (it
          ends in ?key=…); this tab cannot reconnect by itself.
        </p>
      </div>
    </div>
  );
}
