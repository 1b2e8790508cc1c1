/**
 * One attempt of a classic transfer over a single connection: from the done prefix to the end,
 * written in order with backpressure, the hasher following. A stall, a cut or an early end is an
 * Attempt (retried from the bytes on disk); a server that ignores Range restarts the file; a
 * partial deleted under us is noticed within a second, not at the end of 50 GB.
 */
import { HubError } from '../hub/errors';
import { Attempt, hostOf, openAt, PartialGone, rangeMatches, type HttpAttempt } from './http-attempt';
import type { OpenedBody } from './http-stream';
import { SequentialWriter, stillOurs } from './partial-file';

export async function fetchSingle(a: HttpAttempt): Promise<'ok' | 'restart'> {
  const opened = await openAt(a, a.written);
  if (opened.status === 200 && a.written > 0) {
    // The server ignored Range: start over rather than append the file twice.
    opened.res.destroy();
    return 'restart';
  }
  if (opened.status === 206 && !rangeMatches(opened, a.written, a.file.size)) {
    opened.res.destroy();
    throw new Attempt(new HubError('NETWORK', 'The server answered a different range than asked.', { host: hostOf(a) }), true);
  }
  const writer = new SequentialWriter(a.partial.fh, a.written, (end) => a.hasher.advance(end));
  let streamError: unknown = null;
  try {
    await pump(a, opened, writer);
  } catch (error) {
    streamError = error;
  }
  // What was received is written (or the write error, which matters more, is thrown).
  try {
    await writer.flush();
  } finally {
    a.written = Math.min(a.written, (await a.partial.fh.stat().catch(() => null))?.size ?? a.written);
  }
  if (streamError) throw streamError;
  return 'ok';
}

/** Reads the body into the writer until its end, a stall, or an error. */
function pump(a: HttpAttempt, opened: OpenedBody, writer: SequentialWriter): Promise<void> {
  const current = a.partial;
  const size = a.file.size;
  return new Promise<void>((resolve, reject) => {
    const res = opened.res;
    let timer: NodeJS.Timeout | null = null;
    let lastCheck = Date.now();
    const stallMs = a.opts.stallTimeoutMs ?? 10_000;
    const where = { host: hostOf(a) };
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => res.destroy(new Attempt(new HubError('NETWORK', `No data arrived for ${Math.round(stallMs / 1000)} s.`, where))), stallMs);
    };
    const done = (err?: unknown) => {
      if (timer) clearTimeout(timer);
      if (err) reject(err);
      else resolve();
    };
    arm();
    res.on('data', (chunk: Buffer) => {
      arm();
      const room = size - a.written;
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (piece.length === 0) return;
      a.written += piece.length;
      a.bytesFetched += piece.length;
      a.opts.onBytes?.(piece.length, a.written);
      if (!writer.push(piece)) {
        res.pause();
        writer.drained().then(
          () => res.resume(),
          (e: unknown) => res.destroy(e as Error),
        );
      }
      if (Date.now() - lastCheck > 1000) {
        lastCheck = Date.now();
        void stillOurs(current).then((ok) => {
          if (!ok) res.destroy(new PartialGone());
        });
      }
    });
    res.once('end', () => done(a.written < size ? new Attempt(new HubError('NETWORK', 'The connection ended early.', where)) : undefined));
    res.once('error', (e) =>
      done(
        e instanceof Attempt || e instanceof PartialGone || writer.error
          ? e
          : new Attempt(new HubError('NETWORK', `The connection broke (${(e as NodeJS.ErrnoException).code ?? e.message}).`, where)),
      ),
    );
    res.once('aborted', () => done(new Attempt(new HubError('NETWORK', 'The connection was reset.', where))));
  });
}
