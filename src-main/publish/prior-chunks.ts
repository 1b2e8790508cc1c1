/**
 * Deduplication against the previous revision of a file published over Xet (#26.5; docs/hub-protocol.md
 * §3.4 "Uploads"). @huggingface/hub asks the CAS's global-dedup endpoint (`GET /v1/chunks/default/{hash}`)
 * about one chunk of each file only, its first, and keeps the chunk table it fills from the answer
 * private to its createXorbs. xet-core's servers index a file's first chunk (and 1 in 1024 others), and
 * the answer is the shard of xorbs the chunk came in. So when a model's header changes (a chat template
 * edited in a GGUF), the new first chunk is unknown, the answer is 404, and the library re-sends the
 * whole file although every later chunk is already in the old file's xorbs.
 *
 * The only way in that the library offers is the `fetch` it is given. This remembers each replaced
 * file's new first chunk; when the CAS does not know it, the question is asked again about the
 * previous revision's first chunk (read from the Hub: the file's first 128 KiB, a Range GET) and that
 * answer, the CAS's own shard with its own HMAC key, is what the library gets. It then finds every
 * unchanged chunk in the old xorbs and sends only new ones. Nothing is invented: the library only
 * learns chunks the CAS said it holds, and its shard still describes only what it uploads.
 */
import { xetchunk } from '../xet/packages';
import { openUntrusted } from '../base/untrusted-file';
import { SHA256_HEX } from '../contract/ids';
import type { HubHttp } from '../hub/http';
import type { RepoRef } from '../hub/repo-id';
import { resolveUrl } from '../hub/resolve';

/** Xet chunks are at most 128 KiB (xet-core MAX_CHUNK_SIZE): a file's first chunk lies in its first 128 KiB. */
export const FIRST_CHUNK_SPAN = 128 << 10;

/** The global-dedup query's path: `/v1/chunks/{prefix}/{chunk hash}`. */
const DEDUP_PATH = new RegExp(String.raw`^(/v1/chunks/[a-z0-9-]+/)(${SHA256_HEX})$`);

/**
 * The hash (xet hex) of the first chunk of a file, from its first FIRST_CHUNK_SPAN bytes, or the whole
 * file when it is shorter (anything else cuts a different last chunk); null for an empty file.
 */
export function firstChunkHash(head: Uint8Array): string | null {
  if (head.length === 0) return null;
  const { createChunker, finalize, hashToHex, nextBlock } = xetchunk();
  const chunker = createChunker();
  const first = nextBlock(chunker, head.subarray(0, FIRST_CHUNK_SPAN))[0] ?? finalize(chunker);
  return first ? hashToHex(first.hash) : null;
}

/** The chunk hash a global-dedup query asks about (null for any other URL). */
export function dedupQueryHash(url: string): string | null {
  return DEDUP_PATH.exec(new URL(url).pathname)?.[2] ?? null;
}

/** The same query about another chunk. */
export function dedupQueryFor(url: string, hash: string): string {
  const u = new URL(url);
  u.pathname = u.pathname.replace(DEDUP_PATH, `$1${hash}`);
  return u.toString();
}

async function readHead(file: string): Promise<Buffer> {
  const { fh } = await openUntrusted(file);
  try {
    const buf = Buffer.alloc(FIRST_CHUNK_SPAN);
    let n = 0;
    for (let r = -1; r !== 0 && n < buf.length; n += r) r = (await fh.read(buf, n, buf.length - n, n)).bytesRead;
    return buf.subarray(0, n);
  } finally {
    await fh.close();
  }
}

export interface PriorFile {
  path: string;
  localPath: string;
  size: number;
}

export class PriorChunks {
  readonly #hub: HubHttp;
  readonly #repo: RepoRef;
  readonly #revision: string;
  readonly #signal: AbortSignal;
  /** New first chunk → the path whose previous revision's first chunk to ask about instead. */
  readonly #byNewFirst = new Map<string, string>();
  readonly #oldFirst = new Map<string, Promise<string | null>>();
  /** Queries answered with the previous revision's shard (for the log and tests). */
  primed = 0;

  constructor(hub: HubHttp, repo: RepoRef, revision: string, signal: AbortSignal) {
    this.#hub = hub;
    this.#repo = repo;
    this.#revision = revision;
    this.#signal = signal;
  }

  /** Notes the first chunk of each file that replaces one on the Hub (a file of one chunk has nothing to gain). */
  async add(files: readonly PriorFile[]): Promise<void> {
    for (const f of files) {
      if (f.size <= FIRST_CHUNK_SPAN) continue;
      const hash = firstChunkHash(await readHead(f.localPath));
      if (hash) this.#byNewFirst.set(hash, f.path);
    }
  }

  /** The previous revision's first chunk for a file whose new first chunk is `hash`, when they differ. */
  async insteadOf(hash: string): Promise<string | null> {
    const path = this.#byNewFirst.get(hash);
    if (path === undefined) return null;
    let old = this.#oldFirst.get(path);
    if (!old) {
      old = this.#fetchOldFirst(path).catch(() => null);
      this.#oldFirst.set(path, old);
    }
    const got = await old;
    return got && got !== hash ? got : null;
  }

  /** The first chunk of `path` at the revision published onto: its first 128 KiB from the Hub. */
  async #fetchOldFirst(path: string): Promise<string | null> {
    const res = await this.#hub.fetch(resolveUrl(this.#hub, this.#repo, this.#revision, path), {
      headers: { range: `bytes=0-${FIRST_CHUNK_SPAN - 1}`, 'accept-encoding': 'identity' },
      throwOnError: false,
      signal: this.#signal,
      // Read up to the span below; a server that ignores Range is cut off there.
      maxBodyBytes: Number.MAX_SAFE_INTEGER,
      ctx: { repo: this.#repo.id, revision: this.#revision, path },
    });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return null;
    }
    const parts: Uint8Array[] = [];
    let n = 0;
    const reader = res.body.getReader();
    try {
      while (n < FIRST_CHUNK_SPAN) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        n += value.byteLength;
      }
    } finally {
      await reader.cancel().catch(() => undefined);
    }
    // Fewer bytes than the span: the whole file, which is what firstChunkHash needs then.
    return firstChunkHash(Buffer.concat(parts).subarray(0, FIRST_CHUNK_SPAN));
  }
}
