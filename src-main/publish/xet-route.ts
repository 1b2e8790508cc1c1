/**
 * What a publish over Xet needs from the upload worker's fetch (docs/hub-protocol.md §3.4, §5.7):
 * @huggingface/hub offers `xet` in the LFS batch and, when the Hub answers `transfer: "xet"`, posts
 * xorbs and shards to the CAS with a CAS write token in its Authorization header. That header goes
 * only to a CAS origin the Hub itself named (the batch's `X-Xet-Cas-Url` action header or the
 * write-token answer's `casUrl`), and never carries the Hub token. Also what the UI shows: how the
 * large files travel and the xorb bytes really posted (after dedup and compression).
 */

export type UploadVia = 'xet' | 'lfs';

const LFS_BATCH = /\/info\/lfs\/objects\/batch$/;
const WRITE_TOKEN = /\/xet-write-token\/[^/]+$/;
/** The answers we read to learn the CAS are small JSON documents. */
const MAX_ANSWER_BYTES = 4 << 20;

function originOf(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : null;
  } catch {
    return null;
  }
}

export class XetRoute {
  readonly #casOrigins = new Set<string>();
  readonly #hubToken: string | null;
  via: UploadVia | null = null;
  xorbBytes = 0;
  xorbs = 0;

  constructor(hubToken: string | null) {
    this.#hubToken = hubToken;
  }

  /** Reads a Hub answer that names the CAS or the transfer; the library reads the original body. */
  async observe(url: string, res: Response): Promise<void> {
    const path = new URL(url).pathname;
    if (!res.ok || !(LFS_BATCH.test(path) || WRITE_TOKEN.test(path))) return;
    const length = Number(res.headers.get('content-length') ?? '0');
    if (length > MAX_ANSWER_BYTES) return;
    let body: unknown;
    try {
      body = await res.clone().json();
    } catch {
      return;
    }
    if (typeof body !== 'object' || body === null) return;
    if (WRITE_TOKEN.test(path)) return this.#learn((body as { casUrl?: unknown }).casUrl);
    const batch = body as { transfer?: unknown; objects?: unknown };
    this.via = batch.transfer === 'xet' ? 'xet' : 'lfs';
    if (this.via !== 'xet' || !Array.isArray(batch.objects)) return;
    for (const o of batch.objects as { actions?: { upload?: { header?: Record<string, unknown> } } }[]) {
      const header = o?.actions?.upload?.header ?? {};
      const cas = Object.entries(header).find(([k]) => k.toLowerCase() === 'x-xet-cas-url')?.[1];
      this.#learn(cas);
    }
  }

  #learn(url: unknown): void {
    const origin = originOf(url);
    if (origin) this.#casOrigins.add(origin);
  }

  isCas(url: string): boolean {
    const origin = originOf(url);
    return origin !== null && this.#casOrigins.has(origin);
  }

  /** The headers for a CAS request: the library's, with its CAS token, and never the Hub token. */
  casHeaders(url: string, init: RequestInit, userAgent: string): Headers {
    if (!this.isCas(url)) throw new Error(`${new URL(url).host} is not the CAS the Hub named`);
    const headers = new Headers(init.headers);
    const auth = headers.get('authorization');
    if (auth && this.#hubToken && auth.includes(this.#hubToken)) headers.delete('authorization');
    headers.set('user-agent', userAgent);
    return headers;
  }

  /** A xorb the CAS took: its bytes are what really travelled for the files it holds. */
  noteXorb(init: RequestInit): void {
    const body = init.body;
    const n = body instanceof Uint8Array ? body.byteLength : body instanceof ArrayBuffer ? body.byteLength : body instanceof Blob ? body.size : 0;
    this.xorbBytes += n;
    this.xorbs += 1;
  }
}

export const isXorbPost = (url: string, init: RequestInit): boolean =>
  (init.method ?? 'GET').toUpperCase() === 'POST' && /^\/v1\/xorbs\//.test(new URL(url).pathname);
export const isDedupQuery = (url: string, init: RequestInit): boolean =>
  (init.method ?? 'GET').toUpperCase() === 'GET' && /^\/v1\/chunks\//.test(new URL(url).pathname);
