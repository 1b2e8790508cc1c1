import type { LocalApiView } from '../../../src-main/contract/localapi';

/** The latest requests the Local API answered (ten at most): what, for which model, how fast, and how it ended. */
export function RecentRequests({ recent }: { recent: LocalApiView['recent'] }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-border">
      <table className="w-full text-xs" aria-label="Recent API requests">
        <thead className="bg-muted text-left text-muted-foreground">
          <tr>
            <th className="px-2 py-1.5 font-medium">Time</th>
            <th className="px-2 py-1.5 font-medium">Request</th>
            <th className="px-2 py-1.5 font-medium">Model</th>
            <th className="px-2 py-1.5 text-right font-medium">Tokens</th>
            <th className="px-2 py-1.5 text-right font-medium">tok/s</th>
            <th className="px-2 py-1.5 text-right font-medium">Status</th>
          </tr>
        </thead>
        <tbody>
          {recent.slice(0, 10).map((r) => (
            <tr key={`${r.at}-${r.path}-${r.ms}`} className="border-t border-border">
              <td className="whitespace-nowrap px-2 py-1 tabular-nums">{new Date(r.at).toLocaleTimeString()}</td>
              <td className="whitespace-nowrap px-2 py-1 font-mono">
                {r.method} {r.path}
              </td>
              <td className="max-w-48 truncate px-2 py-1 font-mono" title={r.model ?? ''}>
                {r.model ?? '—'}
              </td>
              <td className="px-2 py-1 text-right tabular-nums">{r.promptTokens + r.completionTokens || '—'}</td>
              <td className="px-2 py-1 text-right tabular-nums">{r.tokensPerSecond ? r.tokensPerSecond.toFixed(1) : '—'}</td>
              <td className={`px-2 py-1 text-right tabular-nums ${r.status >= 400 ? 'text-danger' : ''}`}>{r.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
