/**
 * `resolve` answered from a blob, as Python's get_hf_file_metadata and http_get read it
 * (docs/hub-protocol.md §3.2–3.3): 200 with `X-Repo-Commit`, a strong `ETag` and `X-Linked-Etag`
 * equal to the blob's name, `X-Linked-Size` and `Content-Length`, `Accept-Ranges: bytes`; no Xet
 * headers, so every client takes the plain HTTP path. One byte range (206 with `Content-Range`,
 * 416 past the end), `If-None-Match` (304) and `If-Range`. HEAD needs no hash (no byte goes out),
 * so a client's short metadata timeout is met even for a 40 GB blob not yet verified. Bytes are
 * streamed from the checked handle; a client that goes away ends the stream and closes the file.
 */
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { verifyingStream, verifyOpened, type OpenBlob } from './verified-blob';
import { ApiError } from '../contract/errors';
import { etagMatches, strongEtag } from './answers';
import type { MirrorFile } from './catalog';

export interface ByteRange {
  start: number;
  end: number;
}

/**
 * One range from a Range header: a range, 'unsatisfiable', or null to send the whole file (no
 * header, another unit, several ranges or a malformed one: RFC 9110 lets a server ignore those).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d{0,19})-(\d{0,19})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return null;
  return { start, end };
}

export interface FileAnswer {
  file: MirrorFile;
  commit: string;
  cacheControl: string;
  /** The blob, opened and its size checked (verification is done here, as the answer needs it). Closed here. */
  open: () => Promise<OpenBlob>;
  throttle: Transform | null;
  onBytes: (n: number) => void;
  /** A blob found bad while it streamed (the answer was cut short). */
  onRefused?: (error: ApiError) => void;
  /** Answer a Range with the whole file (bytes of this blob once went out unverified: a resume must start over). */
  ignoreRange?: boolean;
}

/** The headers every answer for a file carries, as the Hub sends them. */
export function fileHeaders(file: Pick<MirrorFile, 'path' | 'size' | 'etag'>, commit: string, cacheControl: string): Record<string, string> {
  const etag = strongEtag(file.etag);
  return {
    ETag: etag,
    'X-Linked-Etag': etag,
    'X-Linked-Size': String(file.size),
    'X-Repo-Commit': commit,
    'Accept-Ranges': 'bytes',
    'Cache-Control': cacheControl,
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.path.split('/').pop() ?? 'file')}`,
  };
}

/**
 * What to send: 'not-modified' (304), 'unsatisfiable' (416), a range, or null for the whole file.
 * If-Range that does not name this blob, or `ignoreRange`, sends the whole file.
 */
export function chooseRange(
  req: http.IncomingMessage,
  file: Pick<MirrorFile, 'size' | 'etag'>,
  ignoreRange = false,
): ByteRange | 'unsatisfiable' | 'not-modified' | null {
  const etag = strongEtag(file.etag);
  if (etagMatches(req.headers['if-none-match'], etag)) return 'not-modified';
  const ifRange = req.headers['if-range'] as string | undefined;
  if (ignoreRange || (ifRange !== undefined && !etagMatches(ifRange, etag, false))) return null;
  return parseRange(req.headers.range, file.size);
}

/**
 * Sends the answers that carry no body, 304 for a matching If-None-Match and 416 for a range past
 * the end, and says whether it did; the one home for both, used by every file answer.
 */
export function answerWithoutBody(
  res: http.ServerResponse,
  wanted: ByteRange | 'unsatisfiable' | 'not-modified' | null,
  common: Record<string, string>,
  size: number,
): wanted is 'unsatisfiable' | 'not-modified' {
  if (wanted === 'not-modified') {
    res.writeHead(304, common);
    res.end();
    return true;
  }
  if (wanted === 'unsatisfiable') {
    res.writeHead(416, { ...common, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' });
    res.end();
    return true;
  }
  return false;
}

/** The headers of a 200 (whole file) or 206 (the range `wanted`) answer of `length` bytes. */
export function bodyHeaders(common: Record<string, string>, wanted: ByteRange | null, length: number, size: number): Record<string, string> {
  return {
    ...common,
    'Content-Length': String(length),
    ...(wanted ? { 'Content-Range': `bytes ${wanted.start}-${wanted.end}/${size}` } : {}),
  };
}

/** Counts bytes as they leave for the client (placed after the check and the rate). */
export function countedStream(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

export async function answerFile(req: http.IncomingMessage, res: http.ServerResponse, a: FileAnswer): Promise<void> {
  const { file } = a;
  const common = fileHeaders(file, a.commit, a.cacheControl);
  const wanted = chooseRange(req, file, a.ignoreRange);
  if (answerWithoutBody(res, wanted, common, file.size)) return;
  const opened = await a.open();
  const range = wanted ?? { start: 0, end: file.size - 1 };
  const length = file.size === 0 ? 0 : range.end - range.start + 1;
  // A whole answer is verified as it streams; a part of a blob only once the whole is known good.
  const whole = !wanted && length > 0 && req.method === 'GET';
  try {
    if (!opened.known && !whole && req.method === 'GET' && length > 0) await verifyOpened(opened, file.etag);
    res.writeHead(wanted ? 206 : 200, bodyHeaders(common, wanted, length, file.size));
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    const stream = opened.fh.createReadStream({ start: range.start, end: range.end, highWaterMark: 256 << 10, autoClose: false });
    const stages: NodeJS.ReadWriteStream[] = [
      ...(whole && !opened.known ? [verifyingStream(opened, file.etag)] : []),
      ...(a.throttle ? [a.throttle] : []),
      countedStream(a.onBytes),
    ];
    // A client gone mid-file, or a blob found bad at its end, rejects the pipeline: the answer is cut short.
    await pipeline([stream, ...stages, res]).catch((error: unknown) => {
      res.destroy();
      if (error instanceof ApiError) a.onRefused?.(error);
    });
  } finally {
    await opened.fh.close().catch(() => undefined);
  }
}
