/**
 * Request bodies within bounds: one body past `MAX_BODY_BYTES` is a 413 before it is parsed, and
 * all bodies in flight together stay within a fixed budget, so many clients (or one with many
 * sockets) cannot push memory past it: a body that does not fit is a 503 with Retry-After, read
 * and thrown away rather than kept. A request's bytes count until its answer is done, since its
 * parsed form lives that long too. A body must also arrive within a deadline (408 past it), so a
 * client trickling bytes cannot hold its share of the budget for good.
 */
import type http from 'node:http';
import type { z } from 'zod';
import { RETRY_AFTER_S, sendError, zodMessage } from './answers';

/** A request body past this is refused (413) before it is parsed. */
export const MAX_BODY_BYTES = 4 << 20;
/**
 * All request bodies being read or answered at once, together (8 bodies of the largest size): a
 * body's parse costs about twice its size again for a moment, so this keeps the whole process
 * near 300 MB however many clients send at once (docs/performance.md, Local API).
 */
export const BODY_BUDGET_BYTES = 32 << 20;
/** Time for a whole body to arrive once its headers have (4 MiB at 70 KB/s). */
export const BODY_DEADLINE_MS = 60_000;

/** One request's share of the budget: bytes taken as they arrive, all given back when its answer is done. */
export interface BodyHold {
  take(bytes: number): boolean;
  release(): void;
  /** How long the body may take to arrive. */
  readonly deadlineMs: number;
}

export class BodyBudget {
  readonly limit: number;
  readonly deadlineMs: number;
  #used = 0;

  constructor(limit: number = BODY_BUDGET_BYTES, deadlineMs: number = BODY_DEADLINE_MS) {
    this.limit = limit;
    this.deadlineMs = deadlineMs;
  }

  get used(): number {
    return this.#used;
  }

  hold(): BodyHold {
    let held = 0;
    let released = false;
    return {
      deadlineMs: this.deadlineMs,
      take: (bytes) => {
        if (released || this.#used + bytes > this.limit) return false;
        this.#used += bytes;
        held += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#used -= held;
        held = 0;
      },
    };
  }
}

export type BodyResult = Buffer | 'too-large' | 'busy' | 'too-slow';

/** A chunked body's first buffer; it doubles from there up to MAX_BODY_BYTES. */
const CHUNKED_START = 64 << 10;

/**
 * The whole body, or why not. A declared length is taken from the budget before a byte is read; a
 * chunked body chunk by chunk. A refused body is drained (read, not kept) so the client gets the
 * answer; its bytes go back to the budget with that answer.
 */
export function readBody(req: http.IncomingMessage, hold: BodyHold): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      resolve('too-large');
      req.resume();
      return;
    }
    if (declared > 0 && !hold.take(declared)) {
      resolve('busy');
      req.resume();
      return;
    }
    // A declared length is read into one buffer of that size (no second copy to join the chunks). A
    // chunked body goes into one buffer too, doubled as it grows and charged to the budget by its
    // size: keeping each chunk would let a body sent in 1-byte chunks cost millions of objects
    // (measured: 1.7 GB of RSS for 4 MiB) while the budget counted only its bytes.
    let whole = declared > 0 ? Buffer.allocUnsafe(declared) : null;
    let seen = 0;
    let refused = false;
    const timer = setTimeout(() => {
      refused = true;
      whole = null;
      resolve('too-slow');
    }, hold.deadlineMs);
    req.once('close', () => clearTimeout(timer));
    req.on('data', (c: Buffer) => {
      if (refused) return;
      if (seen + c.length > MAX_BODY_BYTES) {
        resolve('too-large');
        req.destroy();
        return;
      }
      if (declared === 0 && (!whole || seen + c.length > whole.length)) {
        const had = whole?.length ?? 0;
        const size = Math.min(MAX_BODY_BYTES, Math.max(CHUNKED_START, had * 2, seen + c.length));
        if (!hold.take(size - had)) {
          refused = true;
          whole = null;
          resolve('busy');
          return;
        }
        const grown = Buffer.allocUnsafe(size);
        whole?.copy(grown, 0, 0, seen);
        whole = grown;
      }
      if (whole) c.copy(whole, seen);
      seen += c.length;
    });
    req.on('end', () => {
      clearTimeout(timer);
      if (!refused) resolve(whole ? whole.subarray(0, seen) : Buffer.alloc(0));
    });
    req.on('error', reject);
  });
}

/** Resolves when the request's body has been read to its end (or its connection closed), or after `ms`. */
function drained(req: http.IncomingMessage, ms: number): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    req.once('end', done);
    req.once('close', done);
  });
}

/** The body parsed with `schema`; on any problem the answer is sent and null returned. */
export async function parseBody<S extends z.ZodType>(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  hold: BodyHold,
  schema: S,
): Promise<z.output<S> | null> {
  const body = await readBody(req, hold);
  if (body === 'too-large') {
    sendError(res, 413, 'invalid_request_error', `The request body is larger than ${MAX_BODY_BYTES} bytes.`, { code: 'request_too_large' });
    return null;
  }
  if (body === 'busy') {
    // Answered at once, but the response is ended only once the refused body has been read (and
    // dropped): ending it would close the connection under a client still sending, which then sees
    // EPIPE instead of the 503. The answer is complete by its Content-Length; the wait is bounded.
    const text = JSON.stringify({
      error: {
        message: 'The server is reading as many request bodies as it holds at once; try again shortly.',
        type: 'server_error',
        param: null,
        code: 'server_busy',
      },
    });
    if (!res.headersSent) {
      res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'retry-after': RETRY_AFTER_S });
      res.write(text);
      void drained(req, hold.deadlineMs).then(() => res.end());
    }
    return null;
  }
  if (body === 'too-slow') {
    sendError(res, 408, 'invalid_request_error', `The request body did not arrive within ${hold.deadlineMs / 1000} s.`, { code: 'request_timeout' });
    return null;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    sendError(res, 400, 'invalid_request_error', 'The request body is not valid JSON.', { code: 'invalid_json' });
    return null;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const { message, param } = zodMessage(parsed.error);
    sendError(res, 400, 'invalid_request_error', message, { param, code: 'invalid_request' });
    return null;
  }
  return parsed.data;
}
