/**
 * GETs of xorb byte ranges over kept-alive HTTP/1.1 connections of our own, read with `onread` into
 * lent slabs (read-slabs.ts says what node:http's fresh buffer per read cost). Only what a presigned
 * xorb GET needs: no request body, no redirects, no proxies (Hubcap uses none anywhere), TLS by
 * Node's defaults (its CA store and NODE_EXTRA_CA_CERTS, as https.Agent). An answer whose body is
 * not framed by Content-Length (chunked, or read until the connection closes) is refused with
 * NotFramedByLength before any of it is read, and the caller asks again through node:http
 * (cas-client.ts).
 */
import net from 'node:net';
import tls from 'node:tls';
import { AnswerBody, type LentBody } from './lent-body';
import { dropRead, holdRead, SLAB_BYTES, takeReadSlab, TLS_SLAB_BYTES } from './read-slabs';

export type { LentBody };

/** A head larger than this is not a storage host's answer to a range GET. */
const MAX_HEAD_BYTES = 64 << 10;
/** A kept-alive connection unused this long is closed (storage hosts close theirs after ~5 s or more). */
const IDLE_MS = 4000;
const MAX_IDLE_PER_ORIGIN = 16;
/** Body bytes read ahead of the reader before the socket stops reading, and the mark to read again. */
const AHEAD_HIGH = 512 << 10;
const AHEAD_LOW = 128 << 10;
/** The least room left in a slab that the next read goes into (less, and it takes a fresh slab). */
const MIN_TAIL_BYTES = 8 << 10;

export class NotFramedByLength extends Error {}

/** A kept-alive connection closed by its server as it was reused: nothing of an answer came. */
class StaleConnection extends Error {}

export interface XorbHttpAnswer {
  status: number;
  /** Names in lower case; a repeated header's values joined with ", ". */
  headers: Map<string, string>;
  body: LentBody;
}

const idle = new Map<string, Connection[]>();

/**
 * GETs `url` with the header lines given (each ending CRLF), on a kept-alive connection to its
 * origin where one is idle. Settles with the answer's head; its body streams through `body`.
 * `waitMs`: the longest wait for the head, connection included (then `silence()` is thrown).
 */
export async function xorbGet(url: URL, headerLines: string, signal: AbortSignal, waitMs: number, silence: () => Error): Promise<XorbHttpAnswer> {
  for (let attempt = 0; ; attempt++) {
    const reused = attempt === 0 ? takeIdle(url.origin) : null;
    const conn = reused ?? new Connection(url);
    try {
      return await conn.send(url, headerLines, signal, waitMs, silence);
    } catch (error) {
      // A kept-alive connection can be closed by its server just as it is reused: once more, fresh.
      if (error instanceof StaleConnection) continue;
      throw error;
    }
  }
}

/** Idle connections kept (tests). */
export function idleXorbConnections(): number {
  let n = 0;
  for (const list of idle.values()) n += list.length;
  return n;
}

function takeIdle(origin: string): Connection | null {
  const list = idle.get(origin);
  const conn = list?.pop() ?? null;
  if (list && !list.length) idle.delete(origin);
  return conn;
}

/** Where an answer is: its head being read, its body, or done. */
interface Exchange {
  /** On a connection kept alive from an earlier answer. */
  reused: boolean;
  /** The exchange is over (its answer whole, or failed): its timer and abort listener go. */
  ended: () => void;
  resolve: (answer: XorbHttpAnswer) => void;
  reject: (error: Error) => void;
  head: Buffer | null;
  body: AnswerBody | null;
  /** Body bytes still to come. */
  left: number;
  keepAlive: boolean;
  timer: NodeJS.Timeout | undefined;
}

class Connection {
  readonly #socket: net.Socket;
  readonly #origin: string;
  #exchange: Exchange | null = null;
  /** The slab the socket reads into next, taken by the generator below. */
  #slab: Buffer | null = null;
  /** What the last read left of its slab, held for the next read when it is large enough. */
  #tail: Buffer | null = null;
  #used = false;
  #closed = false;
  #paused = false;

  constructor(u: URL) {
    this.#origin = u.origin;
    // TLS reads are one record, 16 KiB at most: in 64 KiB slabs they would pin 4x their size.
    const slabBytes = u.protocol === 'https:' ? TLS_SLAB_BYTES : SLAB_BYTES;
    const next = () => {
      // Called again without a read when a connection attempt moves on to the host's next address.
      if (this.#slab) dropRead(this.#slab);
      const tail = this.#tail;
      this.#tail = null;
      return (this.#slab = tail ?? takeReadSlab(slabBytes));
    };
    const onread = { buffer: next, callback: (n: number, buf: Buffer) => this.#read(n, buf) };
    const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
    const host = u.hostname.replace(/^\[|\]$/g, '');
    // tls.connect takes `onread` as net.connect does (Node's TLSSocket passes it on for a socket it
    // dials itself); @types/node does not list it.
    const secure: tls.ConnectionOptions & { onread: net.OnReadOpts } = { host, port, ALPNProtocols: ['http/1.1'], onread };
    if (!net.isIP(host)) secure.servername = host;
    this.#socket = u.protocol === 'https:' ? tls.connect(secure) : net.connect({ host, port, onread });
    this.#socket.setNoDelay(true);
    this.#socket.on('error', (e) => this.#gone(e));
    this.#socket.on('close', () => this.#gone(new Error('the connection closed')));
    this.#socket.on('timeout', () => this.#socket.destroy());
  }

  send(u: URL, headerLines: string, signal: AbortSignal, waitMs: number, silence: () => Error): Promise<XorbHttpAnswer> {
    const reused = this.#used;
    this.#used = true;
    this.#socket.setTimeout(0);
    this.#socket.ref();
    return new Promise<XorbHttpAnswer>((resolve, reject) => {
      if (signal.aborted) {
        this.#release(false);
        reject(signal.reason as Error);
        return;
      }
      // Only while this exchange is the connection's: once its answer is whole, the connection may
      // already carry another request, which this signal must not stop.
      const onAbort = () => {
        if (this.#exchange === ex) this.#fail(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const ex: Exchange = {
        reused,
        resolve: (answer) => {
          clearTimeout(ex.timer);
          resolve(answer);
        },
        reject: (error) => {
          ex.ended();
          reject(error);
        },
        ended: () => {
          clearTimeout(ex.timer);
          signal.removeEventListener('abort', onAbort);
        },
        head: Buffer.alloc(0),
        body: null,
        left: 0,
        keepAlive: true,
        timer: setTimeout(() => this.#fail(silence()), waitMs),
      };
      this.#exchange = ex;
      this.#resume();
      this.#socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n${headerLines}Connection: keep-alive\r\n\r\n`);
    });
  }

  /** The socket read `n` bytes into `slab` (one reference: ours). Returns false to stop reading. */
  #read(n: number, slab: Buffer): boolean {
    this.#slab = null;
    // Small reads (a loaded machine, a far link) share a slab: the next read goes into what this one
    // left, held before anything below may drop this read's reference.
    if (slab.length - n >= MIN_TAIL_BYTES) {
      this.#tail = slab.subarray(n);
      holdRead(this.#tail);
    }
    const ex = this.#exchange;
    if (!ex) {
      // Bytes nobody asked for: the connection cannot be trusted with another request.
      dropRead(slab);
      this.#socket.destroy();
      return false;
    }
    let at = 0;
    try {
      at = ex.head ? this.#readHead(ex, slab, n) : 0;
    } catch (error) {
      dropRead(slab);
      this.#fail(error as Error);
      return false;
    }
    if (ex.head) {
      dropRead(slab);
      return true;
    }
    const body = ex.body as AnswerBody;
    const k = Math.min(ex.left, n - at);
    ex.left -= k;
    if (at + k < n) ex.keepAlive = false; // more than the answer's length: never reused
    // The view takes over our reference to the slab.
    if (k > 0) body.push(slab.subarray(at, at + k));
    else dropRead(slab);
    if (ex.left === 0) {
      this.#exchange = null;
      ex.ended();
      body.end();
      this.#release(ex.keepAlive);
      return true;
    }
    this.#paused = body.queued >= AHEAD_HIGH;
    return !this.#paused;
  }

  /** Reads head bytes from `slab`; once the head is whole, answers the exchange and returns where the body starts. */
  #readHead(ex: Exchange, slab: Buffer, n: number): number {
    const prev = ex.head as Buffer;
    const joined = prev.length ? Buffer.concat([prev, slab.subarray(0, n)]) : slab.subarray(0, n);
    const end = joined.indexOf('\r\n\r\n', Math.max(0, prev.length - 3), 'latin1');
    if (end < 0) {
      if (joined.length > MAX_HEAD_BYTES) throw new Error('the storage host sent a head larger than 64 KiB');
      ex.head = Buffer.from(joined);
      return n;
    }
    const lines = joined.toString('latin1', 0, end).split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    if (!status) throw new Error('the storage host did not answer in HTTP/1.x');
    const code = Number(status[2]);
    const bodyAt = end + 4 - prev.length;
    if (code >= 100 && code < 200) {
      // An interim answer (100 Continue): the real one follows.
      ex.head = Buffer.alloc(0);
      return bodyAt < n ? this.#readHead(ex, slab.subarray(bodyAt), n - bodyAt) + bodyAt : n;
    }
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const had = headers.get(name);
      headers.set(name, had === undefined ? value : `${had}, ${value}`);
    }
    const length = headers.get('content-length');
    if (headers.has('transfer-encoding') || length === undefined || !/^\d{1,15}$/.test(length)) {
      // Not refused for an error answer: its head is all the caller reads, and the connection goes.
      if (code === 206 || (code >= 200 && code < 300))
        throw new NotFramedByLength(`an answer framed by ${headers.has('transfer-encoding') ? 'Transfer-Encoding' : 'its connection'}`);
      ex.left = Number.MAX_SAFE_INTEGER;
      ex.keepAlive = false;
    } else ex.left = Number(length);
    ex.keepAlive &&= status[1] === '1' && !/\bclose\b/i.test(headers.get('connection') ?? '');
    ex.head = null;
    const body = new AnswerBody(
      () => this.#resumeIfDrained(),
      () => this.#socket.destroy(),
    );
    ex.body = body;
    ex.resolve({ status: code, headers, body });
    return bodyAt;
  }

  #resumeIfDrained(): void {
    const body = this.#exchange?.body;
    if (this.#paused && body && body.queued <= AHEAD_LOW) this.#resume();
  }

  #resume(): void {
    this.#paused = false;
    this.#socket.resume();
  }

  /** Ends the exchange with `error`; `lost`: the socket closed or failed under it. */
  #fail(error: Error, lost = false): void {
    const ex = this.#exchange;
    this.#exchange = null;
    this.#socket.destroy();
    if (!ex) return;
    ex.ended();
    if (ex.body) ex.body.fail(error);
    // Closed by its server as it was reused, before a byte of the answer: asked again, fresh.
    else ex.reject(lost && ex.reused && ex.head?.length === 0 ? new StaleConnection(error.message) : error);
  }

  #gone(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#slab) dropRead(this.#slab);
    if (this.#tail) dropRead(this.#tail);
    this.#slab = this.#tail = null;
    this.#unlist();
    this.#fail(error, true);
  }

  /** The answer was read whole: the connection waits for the next request, or closes. */
  #release(keepAlive: boolean): void {
    const list = idle.get(this.#origin) ?? [];
    if (!keepAlive || this.#closed || list.length >= MAX_IDLE_PER_ORIGIN) {
      this.#socket.destroy();
      return;
    }
    list.push(this);
    idle.set(this.#origin, list);
    // Read while idle: a server's close is seen at once, and stray bytes close the connection.
    // Unreferenced, as node:http's free sockets: an idle connection never holds the process open.
    this.#resume();
    this.#socket.setTimeout(IDLE_MS);
    this.#socket.unref();
  }

  #unlist(): void {
    const list = idle.get(this.#origin);
    const at = list?.indexOf(this) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
    if (list && !list.length) idle.delete(this.#origin);
  }
}
