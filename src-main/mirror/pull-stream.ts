/**
 * Pull-through as the bytes arrive (#28.2): a file the cache lacks is fetched once by the download
 * engine, and every client asking meanwhile (the first, and any at the same time) is served from
 * the partial the engine writes, as far as its written prefix goes (downloads/written-prefix.ts:
 * range connections write out of order, so only the prefix counts), Range honoured. A client that
 * goes away stops only its own answer: the engine's job is not the client's.
 *
 * What if the sha256 fails after bytes went out? The engine checks the whole file only at its end.
 * Decision: no answer served from a partial is completed before the check. Its last byte is held
 * back until the engine's job is done and the file the bytes came from is the blob under its name
 * (the engine renames the very file it checked); if the job fails, or the attempt the bytes came
 * from is dropped (a restart after a failed check), the connection is cut before that last byte,
 * so the client has a short file it must not use. Python resumes a cut download with `Range:
 * bytes=N-` (no If-Range), which would graft good bytes onto bad ones: so the blob is then marked,
 * and for an hour every Range for it is answered with the whole file (200), which Python (and
 * Hubcap) take as "start over" and truncate what they had. RFC 9110 lets a server ignore Range.
 */
import type http from 'node:http';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blobIdentity, WrittenPrefix, type WrittenState } from '../downloads/written-prefix';
import { answerWithoutBody, bodyHeaders, chooseRange, countedStream, fileHeaders } from './file-answer';
import type { MirrorFile } from './catalog';

/** Files smaller than this are served once they are in the cache (a config file does not need streaming). */
export const STREAM_FROM_BYTES = 1 << 20;
/** How often a waiting answer looks at the partial again. */
const POLL_MS = 40;
/** How long a blob whose unverified bytes were cut short gets whole answers to Range requests. */
const MARKED_MS = 60 * 60_000;
const CHUNK = 256 << 10;

/** Answers cut short because the bytes they carried cannot be vouched for. */
export class PullCut extends Error {}

/**
 * What one mirror knows of the blobs it pulled: which files unverified bytes went out from, and
 * which blobs had bytes cut short (their Range requests get whole answers for a while).
 */
export class PulledBlobs {
  readonly #marked = new Map<string, number>();
  readonly #servedFrom = new Map<string, Set<string>>();
  readonly #followed = new WeakSet<Promise<void>>();

  /** Must a Range for this blob be answered whole? */
  marked(etag: string, now = Date.now()): boolean {
    const at = this.#marked.get(etag);
    if (at === undefined) return false;
    if (now - at < MARKED_MS) return true;
    this.#marked.delete(etag);
    return false;
  }

  mark(etag: string): void {
    this.#marked.delete(etag);
    this.#marked.set(etag, Date.now());
    if (this.#marked.size > 10_000) this.#marked.delete(this.#marked.keys().next().value as string);
  }

  served(etag: string, identity: string): void {
    let set = this.#servedFrom.get(etag);
    if (!set) this.#servedFrom.set(etag, (set = new Set()));
    set.add(identity);
  }

  /**
   * Follows one download of a blob, once: when it settles, unverified bytes that went out from any
   * file but the blob now in place (all of them, if the download failed) mark the blob, even when
   * their client had already gone (it may come back with a Range).
   */
  follow(etag: string, blobsDir: string, done: Promise<void>): void {
    if (this.#followed.has(done)) return;
    this.#followed.add(done);
    void done
      .then(
        () => blobIdentity(blobsDir, etag),
        () => null,
      )
      .then((blob) => {
        const from = this.#servedFrom.get(etag);
        this.#servedFrom.delete(etag);
        if (from && [...from].some((id) => id !== blob)) this.mark(etag);
      });
  }
}

export interface PullingAnswer {
  file: Pick<MirrorFile, 'path' | 'size' | 'etag'>;
  commit: string;
  cacheControl: string;
  /** `<cache>/<repo folder>/blobs`, where the engine writes the partial and renames the blob. */
  blobsDir: string;
  /** The engine's download of the file: resolves once the blob is in the cache, checked. */
  done: Promise<void>;
  blobs: PulledBlobs;
  throttle: Transform | null;
  onBytes: (n: number) => void;
}

/** Answers a GET or HEAD for a file the engine is fetching now; the body follows the written prefix. */
export async function answerPulling(req: http.IncomingMessage, res: http.ServerResponse, a: PullingAnswer): Promise<void> {
  const { file } = a;
  const common = fileHeaders(file, a.commit, a.cacheControl);
  const wanted = chooseRange(req, file, a.blobs.marked(file.etag));
  if (answerWithoutBody(res, wanted, common, file.size)) return;
  const range = wanted ?? { start: 0, end: file.size - 1 };
  const length = range.end - range.start + 1;
  // Headers at once: the client's read timeout runs from here, and the first bytes follow as they land.
  res.writeHead(wanted ? 206 : 200, bodyHeaders(common, wanted, length, file.size));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  a.blobs.follow(file.etag, a.blobsDir, a.done);
  const outcome = settled(a.done);
  const watch = new WrittenPrefix(a.blobsDir, file.etag, file.size);
  const body = Readable.from(followPrefix(watch, range.start, range.end + 1, outcome, a), { objectMode: false });
  await pipeline([body, ...(a.throttle ? [a.throttle] : []), countedStream(a.onBytes), res]).catch((error: unknown) => {
    res.destroy();
    if (error instanceof PullCut) a.blobs.mark(file.etag);
  });
}

interface Outcome {
  state: 'pending' | 'ok' | 'failed';
  settled: Promise<void>;
}

function settled(done: Promise<void>): Outcome {
  const o: Outcome = { state: 'pending', settled: Promise.resolve() };
  o.settled = done.then(
    () => void (o.state = 'ok'),
    () => void (o.state = 'failed'),
  );
  return o;
}

/** Bytes [from, to) of the blob as they are written; the last one only once the blob is checked and in place. */
async function* followPrefix(watch: WrittenPrefix, from: number, to: number, outcome: Outcome, a: PullingAnswer): AsyncGenerator<Buffer> {
  let pos = from;
  try {
    for (;;) {
      // The outcome is read before the look: a job done before the look means the look sees its blob.
      const state = outcome.state;
      const seen: WrittenState = await watch.look();
      if (seen.kind === 'dropped') {
        if (pos > from) throw new PullCut('the attempt these bytes came from was dropped');
        // Nothing sent from it: the next look takes the engine's new partial.
        await watch.release();
      }
      const verified = state === 'ok' && seen.kind === 'blob';
      const ready = seen.kind === 'writing' ? seen.prefix : seen.kind === 'blob' ? a.file.size : 0;
      const upTo = verified ? to : Math.min(ready, to - 1);
      const fh = watch.handle;
      while (fh && pos < upTo) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, upTo - pos));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) throw new PullCut('the partial is shorter than its record says');
        if (!verified) a.blobs.served(a.file.etag, watch.identity as string);
        pos += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
      if (pos >= to) return;
      if (state === 'failed') throw new PullCut('the download failed');
      if (state === 'ok' && !verified) {
        // Done, but what is held open is not the blob: bytes already sent came from elsewhere.
        if (pos > from) throw new PullCut('the blob in place is not the file these bytes came from');
        if (seen.kind === 'none') throw new Error('the blob left the cache as soon as it was fetched');
        await watch.release();
        continue;
      }
      await Promise.race([outcome.settled, new Promise((r) => setTimeout(r, POLL_MS))]);
    }
  } finally {
    await watch.release();
  }
}
