/**
 * Raw GETs for file bodies. node:http rather than fetch: bodies stream straight to disk with
 * backpressure and no web-stream copies, which is what lets a download keep pace with curl.
 * Redirects are followed by hand and every hop asks HubHttp whether the token may go there.
 */
import http from 'node:http';
import https from 'node:https';
import { BODY_LIMITS } from '../hub/limits';
import { downloadHostError, type HubError, hubErrorFrom, networkError } from '../hub/errors';
import type { HubHttp } from '../hub/http';
import { agentFor, discardBody, silent } from '../hub/node-fetch';
import { nextHop } from '../hub/redirects';
import { incomingHeaders } from '../hub/web-response';

export interface OpenedBody {
  status: number;
  headers: Headers;
  finalUrl: string;
  res: http.IncomingMessage;
}

/** One GET; a server silent for `waitMs` before its answer fails it (the body's stalls are the reader's to judge). */
function once(url: string, headers: Record<string, string>, signal: AbortSignal, waitMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { headers, agent: agentFor(url), signal }, (res) => {
      req.setTimeout(0);
      resolve(res);
    });
    req.setTimeout(waitMs, () => req.destroy(silent(url, waitMs)));
    req.on('error', reject);
  });
}

/** How long a body request waits for its answer when the Hub client sets no timeout. */
const ANSWER_WAIT_MS = 30_000;

export async function openBody(hub: HubHttp, url: string, range: { start: number; end?: number } | null, signal: AbortSignal): Promise<OpenedBody> {
  hub.assertOnline();
  let current = url;
  for (let hop = 0; ; hop++) {
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    for (const [k, v] of hub.headersFor(current)) headers[k] = v;
    if (range) headers.range = `bytes=${range.start}-${range.end ?? ''}`;
    let res: http.IncomingMessage;
    try {
      res = await once(current, headers, signal, hub.timeoutMs ?? ANSWER_WAIT_MS);
    } catch (error) {
      if (signal.aborted) throw error;
      throw networkError(error, current);
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      discardBody(res);
      current = nextHop(current, location, hop, { anyOrigin: true });
      continue;
    }
    return { status, headers: incomingHeaders(res.headers), finalUrl: current, res };
  }
}

/** The server's own words from an error body: at most 64 KiB read, JSON `error` if present. */
export async function readErrorBody(opened: OpenedBody): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of opened.res) {
    size += (c as Buffer).length;
    if (size > BODY_LIMITS.error) {
      opened.res.destroy();
      break;
    }
    chunks.push(c as Buffer);
  }
  try {
    const e = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: unknown }).error;
    return typeof e === 'string' ? e.slice(0, 500) : undefined;
  } catch {
    return undefined;
  }
}

/** A non-2xx answer as a typed error: the Hub's mapping for the Hub, the download host's for a CDN. */
export async function errorFrom(
  opened: OpenedBody,
  hub: HubHttp,
  ctx: { repo?: string; revision?: string; path?: string; repoUrl?: string },
): Promise<HubError> {
  if (!hub.isHubUrl(opened.finalUrl)) {
    // Its body is not read at all: an error page can be as large as the server likes.
    opened.res.destroy();
    return downloadHostError(opened.status, opened.headers, new URL(opened.finalUrl).host, ctx);
  }
  const message = await readErrorBody(opened).catch(() => undefined);
  return hubErrorFrom(opened.status, opened.headers, { ...ctx, signedIn: hub.signedIn }, message);
}
