/**
 * The fault knobs that replace or bend a whole answer (faults.ts): an injected status, rewritten
 * headers, a redirect, a body that never ends. Faults that bend a file's bytes are file-body.ts's.
 */
import type http from 'node:http';
import type { Fault } from './faults';
import { hubError } from './http-util';

/** An injected `status` fault on the API origin, in the Hub's error shape: true when it answered. */
export function injectedStatus(res: http.ServerResponse, hits: Fault[]): boolean {
  const status = hits.find((f) => f.kind === 'status');
  if (!status) return false;
  const headers: Record<string, string> = {};
  if (status.retryAfter !== undefined) headers['Retry-After'] = String(status.retryAfter);
  if (status.status === 429) headers.RateLimit = `"api";r=0;t=${status.retryAfter ?? 1}`;
  hubError(res, status.status ?? 500, null, `Injected ${status.status ?? 500}`, headers);
  return true;
}

/**
 * Hostile answers that replace or bend the normal one: returns true when the request is answered.
 * `headers` bends whatever answer follows (set, or remove with null).
 */
export async function hostile(res: http.ServerResponse, hits: Fault[]): Promise<boolean> {
  const headers = hits.find((f) => f.kind === 'headers');
  if (headers?.set) {
    const original = res.writeHead.bind(res) as (status: number, h?: Record<string, unknown>) => http.ServerResponse;
    (res as { writeHead: unknown }).writeHead = (status: number, h: Record<string, unknown> = {}) => {
      const overrides = Object.entries(headers.set ?? {});
      const kept = Object.entries(h).filter(([k]) => !overrides.some(([o]) => o.toLowerCase() === k.toLowerCase()));
      return original(status, Object.fromEntries([...kept, ...overrides.filter(([, v]) => v !== null)]));
    };
  }
  const redirect = hits.find((f) => f.kind === 'redirect');
  if (redirect) {
    res.writeHead(redirect.status ?? 302, { Location: redirect.location ?? '/' });
    res.end();
    return true;
  }
  const huge = hits.find((f) => f.kind === 'hugeBody');
  if (huge) {
    res.writeHead(huge.status ?? 200, { 'Content-Type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let left = huge.bytes ?? 1 << 30;
    let closed = false;
    let wake: (() => void) | null = null;
    res.once('close', () => {
      closed = true;
      wake?.();
    });
    res.on('drain', () => wake?.());
    while (left > 0 && !closed) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) await new Promise<void>((r) => (wake = r));
    }
    res.end();
    return true;
  }
  return false;
}
