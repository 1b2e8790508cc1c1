/**
 * Talking to the CAS (docs/hub-protocol.md §3.4): reconstruction plans with the CAS token, sent to
 * the CAS origin only (never the user's Hub token), v2 first and v1 when the CAS has no v2 (404 or
 * 501, remembered); and xorb bytes from presigned URLs with no Authorization at all. Knows nothing
 * of files: it hands back checked plans and open response streams.
 */
import http from 'node:http';
import https from 'node:https';
import { downloadHostError, HubError, networkError } from '../hub/errors';
import { limitBody, USER_AGENT } from '../hub/http';
import { BODY_LIMITS } from '../hub/limits';
import { agentFor, discardBody, nodeFetchWith, silent } from '../hub/node-fetch';
import { incomingHeaders, wireHeaders, type HubHeaders } from '../hub/web-response';
import { parsePlan, type XetPlan, type XetRange } from './reconstruction';
import { NotFramedByLength, xorbGet, type XorbHttpAnswer } from './xorb-http';
import type { XetToken, XetTokenSource } from './token';

export interface CasContext {
  repo?: string;
  path?: string;
}

/** The CAS's plans: a CAS silent for a minute (no answer, or a plan gone quiet) has failed. */
const casFetch = nodeFetchWith({ idleMs: 60_000 });

export class CasClient {
  readonly #tokens: XetTokenSource;
  readonly #fetch: typeof fetch;
  readonly #ctx: CasContext;
  #v1Only = false;

  constructor(tokens: XetTokenSource, ctx: CasContext, fetchImpl: typeof fetch = casFetch) {
    this.#tokens = tokens;
    this.#ctx = ctx;
    this.#fetch = fetchImpl;
  }

  /** The checked plan for bytes [start, end) of a file of `size` bytes. */
  async plan(xetHash: string, window: { start: number; end: number }, size: number, signal: AbortSignal): Promise<XetPlan> {
    let token = await this.#tokens.get(signal);
    for (let attempt = 0; ; attempt++) {
      const version = this.#v1Only ? 1 : 2;
      const url = `${token.casUrl}/v${version}/reconstructions/${xetHash}`;
      const res = await this.#get(url, token, window, signal);
      if (version === 2 && (res.status === 404 || res.status === 501)) {
        await res.body?.cancel();
        this.#v1Only = true;
        continue;
      }
      if (res.status === 401 && attempt === 0) {
        await res.body?.cancel();
        token = await this.#tokens.get(signal, token);
        continue;
      }
      const host = new URL(url).host;
      if (!res.ok) {
        await res.body?.cancel();
        throw downloadHostError(res.status, res.headers, host, this.#ctx);
      }
      let body: unknown;
      try {
        body = await limitBody(res, BODY_LIMITS.json, host).json();
      } catch (error) {
        if (error instanceof HubError) throw error;
        // A body cut or gone quiet is the network's failure; only a parse failure is the plan's.
        if (!(error instanceof SyntaxError)) throw networkError(error, url);
        throw new HubError('SERVER_ERROR', `The Xet storage (${host}) sent a reconstruction plan that is not JSON.`, { host });
      }
      return parsePlan(body, version, window, size);
    }
  }

  async #get(url: string, token: XetToken, window: { start: number; end: number }, signal: AbortSignal): Promise<Response> {
    // The CAS token goes to the CAS origin the token itself named, and nowhere else.
    if (new URL(url).origin !== new URL(token.casUrl).origin) throw new HubError('INTEGRITY', 'A Xet plan URL left the CAS origin.');
    try {
      return await this.#fetch(url, {
        signal,
        redirect: 'error',
        headers: { authorization: `Bearer ${token.accessToken}`, range: `bytes=${window.start}-${window.end - 1}`, 'user-agent': USER_AGENT },
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw networkError(error, url);
    }
  }
}

export interface OpenedXorb {
  /** Its buffers lent (xorb-http.ts LentBody): each valid until the next is asked for; holdRead keeps one. */
  res: AsyncIterable<Buffer> & { destroy(error?: Error): void };
  /** Settles once the body was read to its end, failed or was destroyed. */
  closed: Promise<void>;
  /** multipart/byteranges: several parts; else one 206 body for the single range asked. */
  contentType: string;
  host: string;
}

/** How long a xorb request waits for its answer (a storage host silent that long is gone). */
const XORB_ANSWER_WAIT_MS = 30_000;

/** Origins that answered a xorb GET in a framing xorb-http.ts does not read: node:http reads theirs. */
const byNodeHttp = new Set<string>();

/**
 * GETs byte ranges of a xorb from its presigned URL: no Authorization header (the URL is the
 * credential; S3 refuses both at once), no redirects. A non-206 answer is a HubError (403: the
 * URL expired, FORBIDDEN with the host, which the caller answers by asking for a new plan). Read
 * into reused memory (xorb-http.ts); an origin whose answers that cannot frame is read by node:http.
 */
export async function openXorb(url: string, ranges: XetRange['bytes'][], signal: AbortSignal, waitMs = XORB_ANSWER_WAIT_MS): Promise<OpenedXorb> {
  const u = new URL(url);
  const range = `bytes=${ranges.map((r) => `${r.start}-${r.end}`).join(',')}`;
  if (byNodeHttp.has(u.origin) || (u.protocol !== 'http:' && u.protocol !== 'https:')) return openByNodeHttp(u, range, signal, waitMs);
  let answer: XorbHttpAnswer;
  try {
    answer = await xorbGet(u, `Range: ${range}\r\nAccept-Encoding: identity\r\nUser-Agent: ${USER_AGENT}\r\n`, signal, waitMs, () => silent(url, waitMs));
  } catch (error) {
    if (error instanceof NotFramedByLength) {
      byNodeHttp.add(u.origin);
      return openByNodeHttp(u, range, signal, waitMs);
    }
    throw signal.aborted ? error : networkError(error, url);
  }
  if (answer.status !== 206) {
    answer.body.destroy();
    throw refused(answer.status, wireHeaders(answer.headers), u.host);
  }
  const { body } = answer;
  return { res: body, closed: body.closed, contentType: answer.headers.get('content-type') ?? '', host: u.host };
}

/** The error for an answer other than 206. */
function refused(status: number, headers: HubHeaders, host: string): HubError {
  return status === 200
    ? new HubError('SERVER_ERROR', `The Xet storage (${host}) ignored the byte range asked for.`, { host })
    : downloadHostError(status, headers, host, {});
}

function openByNodeHttp(u: URL, range: string, signal: AbortSignal, waitMs: number): Promise<OpenedXorb> {
  const url = u.href;
  const host = u.host;
  return new Promise((resolve, reject) => {
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.get(url, { headers: { range, 'accept-encoding': 'identity', 'user-agent': USER_AGENT }, agent: agentFor(u), signal }, (res) => {
      req.setTimeout(0); // answered: the body's stalls are the reader's to judge
      if (res.statusCode !== 206) {
        discardBody(res);
        reject(refused(res.statusCode ?? 0, incomingHeaders(res.headers), host));
        return;
      }
      resolve({ res, closed: new Promise((r) => res.once('close', () => r())), contentType: res.headers['content-type'] ?? '', host });
    });
    req.setTimeout(waitMs, () => req.destroy(silent(url, waitMs)));
    req.on('error', (e) => reject(signal.aborted ? e : networkError(e, url)));
  });
}
