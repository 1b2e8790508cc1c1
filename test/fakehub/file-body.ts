/**
 * A file's bytes as the Hub and its CDN send them: one Range (206, 416 past the end), the body
 * streamed at the link's pace, and the faults that bend bytes (drop, stall, corrupt, throttle,
 * ignoreRange).
 */
import { once } from 'node:events';
import type http from 'node:http';
import type { Content } from './content';
import type { Fault } from './faults';
import type { Link } from './link';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Range = { start: number; end: number } | 'unsatisfiable' | null;

export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** Streams [start, end] of a file, applying drop/stall/corrupt/throttle faults and the link's shape. */
async function sendBody(res: http.ServerResponse, content: Content, start: number, end: number, faults: Fault[], link: Link): Promise<void> {
  const drop = faults.find((f) => f.kind === 'drop');
  const stall = faults.find((f) => f.kind === 'stall');
  const corrupt = faults.find((f) => f.kind === 'corrupt');
  const throttle = faults.find((f) => f.kind === 'throttle');
  const closed = new Promise<void>((r) => res.once('close', () => r()));
  let aborted = false;
  void closed.then(() => (aborted = true));
  const pace = link.pacer();
  void closed.then(link.opened());
  const chunkSize = throttle?.bytesPerSecond ? Math.max(1024, Math.floor(throttle.bytesPerSecond / 20)) : link.chunkBytes(256 * 1024);
  const linkStall = link.stallPoint(end + 1 - start);
  let sent = 0;
  let pos = start;
  while (pos <= end && !aborted) {
    let n = Math.min(chunkSize, end + 1 - pos);
    const cut = drop?.afterBytes ?? stall?.afterBytes ?? linkStall ?? undefined;
    if (cut !== undefined && sent + n >= cut) n = Math.max(0, cut - sent);
    let buf = content.read(pos, pos + n);
    if (corrupt && corrupt.offset !== undefined && corrupt.offset >= pos && corrupt.offset < pos + n) {
      buf = Buffer.from(buf);
      buf[corrupt.offset - pos] = (buf[corrupt.offset - pos] as number) ^ 0xff;
    }
    if (n > 0) await pace(n);
    if (n > 0 && !aborted && !res.write(buf)) await Promise.race([once(res, 'drain'), closed]);
    sent += n;
    pos += n;
    if (cut !== undefined && sent >= cut) {
      if (drop) {
        res.socket?.destroy();
        return;
      }
      await closed; // stall: keep the connection open, send nothing more
      return;
    }
    if (throttle?.bytesPerSecond) await sleep((n / throttle.bytesPerSecond) * 1000);
  }
  if (!aborted) res.end();
}

/** Answers GET or HEAD for a file: 200, 206 or 416, with the ETag and headers given. */
export async function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  content: Content,
  etag: string,
  extra: Record<string, string>,
  hits: Fault[],
  link: Link,
): Promise<void> {
  const range = hits.some((f) => f.kind === 'ignoreRange') ? null : parseRange(req.headers.range, content.size);
  const base = { ETag: etag, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream', ...extra };
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...base, 'Content-Range': `bytes */${content.size}` });
    res.end();
    return;
  }
  const start = range ? range.start : 0;
  const end = range ? range.end : content.size - 1;
  const headers = { ...base, 'Content-Length': String(Math.max(0, end - start + 1)) };
  if (range) res.writeHead(206, { ...headers, 'Content-Range': `bytes ${start}-${end}/${content.size}` });
  else res.writeHead(200, headers);
  if (req.method === 'HEAD' || content.size === 0) {
    res.end();
    return;
  }
  await sendBody(res, content, start, end, hits, link);
}
