/**
 * The fake CAS's upload side (docs/hub-protocol.md §3.4 and §5.7; xet-core's local CAS server
 * handlers post_xorb, post_shard, get_dedup_info_by_chunk; what @huggingface/hub's uploadShards and
 * createXorbs send): write tokens handed out by the Hub side, `POST /v1/xorbs/default/{hash}` (the
 * xorb parsed, every chunk decoded and hashed, the xorb hash checked, then stored so downloads
 * reconstruct from it), `POST /v1/shards` (parsed: every xorb it names must be here with the chunks
 * it says, every file's terms, verification hashes, Xet file hash and sha256 are recomputed from
 * the stored chunks, then the file is registered by both hashes, downloadable over Xet and the
 * classic resolve), and `GET /v1/chunks/{prefix}/{hash}` (the global-dedup query: the xorbs of the
 * files starting with that chunk, as a shard with keyed chunk hashes). Every upload request is in
 * `log` with the bytes received, so a test can count what a client really sent.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileHash, hashToHex, hexToBytes, hmac, verificationHash } from '@huggingface/xetchunk-wasm';
import type { Content } from '../content';
import { dedupShard, parseShard, ShardError, type ShardFile, type ShardXorb } from './shard';
import { decodeChunkAt, parseXorb, XorbFormatError } from './xorb-format';
import type { StoredChunk, XetFile, XetTerm, Xorb, XorbStore } from './xorbs';

export interface XetUploadRecord {
  kind: 'xorb' | 'shard' | 'dedup';
  /** The xorb or chunk hash asked about (none for shards). */
  hash: string | null;
  /** Body bytes received (xorbs, shards) or sent (dedup answers). */
  bytes: number;
  status: number;
  /** A xorb that was not stored before. */
  inserted?: boolean;
}

export interface XetUploads {
  /** Answer `transfer: "xet"` when a client offers it (false: clients fall back to basic/multipart). */
  accept: boolean;
  /** While set, xorb uploads wait for it before reading their body (a test cancels meanwhile). */
  hold: Promise<void> | null;
  log: XetUploadRecord[];
  /** A CAS write token for one repo, valid for `ttlSec`. */
  issueWriteToken(scope: string, ttlSec?: number): { accessToken: string; exp: number };
  /** Files registered by shards, by sha256. */
  bySha256: Map<string, XetFile>;
  /** The bytes of an uploaded file, read back from its xorbs. */
  contentOf(sha256: string): Content | null;
  /** Called for each file a shard registers (the Hub side maps its sha256 to it). */
  onFile: ((sha256: string, file: XetFile) => void) | null;
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean>;
  /** Xorbs and their bytes received since the start (or the last `resetLog`). */
  received(): { xorbs: number; bytes: number; newXorbs: number };
  close(): void;
}

const MAX_SHARD_BYTES = 64 << 20;

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request body, refused past `limit` (null: the client went away or sent too much). */
function readBytes(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    if (req.destroyed || req.readableAborted) return resolve(null);
    const parts: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        req.destroy();
        resolve(null);
      } else parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', () => resolve(null));
    req.on('close', () => resolve(n <= limit && req.complete ? Buffer.concat(parts) : null));
  });
}

/** Bytes [start, end) of a file, decoded from its xorbs' chunks. */
export function xetFileContent(store: XorbStore, file: XetFile): Content {
  return {
    size: file.size,
    read(start, end) {
      const out: Buffer[] = [];
      let pos = 0;
      end = Math.min(end, file.size);
      for (const t of file.terms) {
        if (pos >= end) break;
        if (pos + t.unpacked <= start) {
          pos += t.unpacked;
          continue;
        }
        const xorb = store.xorbs.get(t.xorb);
        if (!xorb) throw new Error(`xorb ${t.xorb} missing`);
        for (let i = t.start; i < t.end; i++) {
          const c = xorb.chunks[i] as StoredChunk;
          if (pos + c.length > start && pos < end) {
            const data = decodeChunkAt(c.read(), 0).data;
            out.push(data.subarray(Math.max(0, start - pos), Math.min(c.length, end - pos)));
          }
          pos += c.length;
        }
      }
      return Buffer.concat(out);
    },
  };
}

export function createXetUploads(store: XorbStore, opts: { accept?: boolean } = {}): XetUploads {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'fakecas-xorbs-'));
  const tokens = new Map<string, { scope: string; exp: number }>();
  const bySha256 = new Map<string, XetFile>();
  const log: XetUploadRecord[] = [];

  const authorized = (req: http.IncomingMessage): boolean => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const t = m ? tokens.get(m[1] as string) : undefined;
    return t !== undefined && t.exp * 1000 > Date.now();
  };

  /** Stores a checked xorb's chunk bytes (footer dropped) on disk; chunks read back by range. */
  const keep = (hash: string, buf: Buffer, parsed: ReturnType<typeof parseXorb>): Xorb => {
    const file = path.join(dir, hash);
    fs.writeFileSync(file, buf.subarray(0, parsed.size));
    const chunks: StoredChunk[] = parsed.chunks.map((c) => ({
      ...c,
      read: () => {
        const out = Buffer.allocUnsafe(c.bytes);
        const fd = fs.openSync(file, 'r');
        try {
          fs.readSync(fd, out, 0, c.bytes, c.offset);
        } finally {
          fs.closeSync(fd);
        }
        return out;
      },
    }));
    return { hash, chunks, size: parsed.size };
  };

  const postXorb = async (req: http.IncomingMessage, res: http.ServerResponse, hash: string, rec: XetUploadRecord) => {
    if (self.hold) await self.hold;
    const buf = await readBytes(req, 65 << 20);
    if (!buf) return void res.destroy();
    rec.bytes = buf.length;
    let parsed: ReturnType<typeof parseXorb>;
    try {
      parsed = parseXorb(buf, hash);
    } catch (e) {
      if (e instanceof XorbFormatError) return answer(res, 400, `Invalid xorb: ${e.message}`);
      throw e;
    }
    rec.inserted = !store.xorbs.has(hash);
    if (rec.inserted) store.adopt(keep(hash, buf, parsed));
    answer(res, 200, { was_inserted: rec.inserted });
  };

  /** A shard's file, checked against the stored chunks; the XetFile it makes. */
  const checkFile = (f: ShardFile): XetFile => {
    const chunkIds: { hash: Uint8Array; length: number }[] = [];
    const terms: XetTerm[] = [];
    for (const t of f.terms) {
      const xorb = store.xorbs.get(t.xorb);
      if (!xorb) throw new ShardError(`file ${f.hash} uses xorb ${t.xorb}, which was never uploaded`);
      if (t.end <= t.start || t.end > xorb.chunks.length) throw new ShardError(`file ${f.hash}: chunks ${t.start}..${t.end} are not in xorb ${t.xorb}`);
      const chunks = xorb.chunks.slice(t.start, t.end);
      const unpacked = chunks.reduce((a, c) => a + c.length, 0);
      if (unpacked !== t.unpacked) throw new ShardError(`file ${f.hash}: a term of xorb ${t.xorb} is ${unpacked} bytes, not ${t.unpacked}`);
      if (t.rangeHash !== null && hashToHex(verificationHash(chunks.map((c) => c.hash))) !== t.rangeHash)
        throw new ShardError(`file ${f.hash}: the verification hash of a term of xorb ${t.xorb} does not match`);
      chunkIds.push(...chunks.map((c) => ({ hash: c.hash, length: c.length })));
      terms.push({ xorb: t.xorb, start: t.start, end: t.end, unpacked });
    }
    const computed = hashToHex(fileHash(chunkIds));
    if (computed !== f.hash) throw new ShardError(`file ${f.hash}: its chunks hash to ${computed}`);
    return { hash: f.hash, size: chunkIds.reduce((a, c) => a + c.length, 0), terms, chunks: chunkIds.length };
  };

  const checkXorb = (x: ShardXorb): void => {
    const stored = store.xorbs.get(x.hash);
    if (!stored) throw new ShardError(`the shard describes xorb ${x.hash}, which was never uploaded`);
    const same =
      stored.chunks.length === x.chunks.length &&
      x.chunks.every((c, i) => hashToHex((stored.chunks[i] as StoredChunk).hash) === c.hash && (stored.chunks[i] as StoredChunk).length === c.length);
    if (!same) throw new ShardError(`the shard's chunk list of xorb ${x.hash} is not the uploaded one`);
  };

  const postShard = async (req: http.IncomingMessage, res: http.ServerResponse, rec: XetUploadRecord) => {
    const buf = await readBytes(req, MAX_SHARD_BYTES);
    if (!buf) return void res.destroy();
    rec.bytes = buf.length;
    const registered: { sha256: string | null; file: XetFile }[] = [];
    try {
      const shard = parseShard(buf);
      for (const x of shard.xorbs) checkXorb(x);
      for (const f of shard.files) {
        const file = checkFile(f);
        if (f.sha256) {
          const content = xetFileContent(store, file);
          const got = sha256Of(content);
          if (got !== f.sha256) throw new ShardError(`file ${f.hash}: its bytes have sha256 ${got}, the shard says ${f.sha256}`);
        }
        registered.push({ sha256: f.sha256, file });
      }
    } catch (e) {
      if (e instanceof ShardError) return answer(res, 400, `Invalid shard: ${e.message}`);
      throw e;
    }
    // Nothing is registered unless the whole shard checks out.
    for (const { sha256, file } of registered) {
      const known = store.files.get(file.hash) ?? file;
      store.files.set(known.hash, known);
      if (sha256) {
        bySha256.set(sha256, known);
        self.onFile?.(sha256, known);
      }
    }
    answer(res, 200, { result: 1 });
  };

  /** The xorbs of every file whose first chunk is `chunk` (what a global-dedup entry points to). */
  const dedupAnswer = (res: http.ServerResponse, chunk: string, rec: XetUploadRecord) => {
    const xorbs = new Map<string, Xorb>();
    for (const f of store.files.values()) {
      const first = f.terms[0];
      const firstChunk = first ? store.xorbs.get(first.xorb)?.chunks[first.start] : undefined;
      if (!firstChunk || hashToHex(firstChunk.hash) !== chunk) continue;
      for (const t of f.terms) {
        const x = store.xorbs.get(t.xorb);
        if (x) xorbs.set(x.hash, x);
      }
    }
    if (xorbs.size === 0) return answer(res, 404, 'Shard not found');
    const key = randomBytes(32);
    const keyed = (h: string) => hashToHex(hmac(hexToBytes(h), key));
    const records: ShardXorb[] = [...xorbs.values()].map((x) => {
      let offset = 0;
      const chunks = x.chunks.map((c) => {
        const out = { hash: hashToHex(c.hash), offset, length: c.length };
        offset += c.length;
        return out;
      });
      return { hash: x.hash, unpacked: offset, packed: x.size, chunks };
    });
    const body = dedupShard(records, key, Math.floor(Date.now() / 1000) + 3600, keyed);
    rec.bytes = body.length;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    res.end(body);
  };

  const self: XetUploads = {
    accept: opts.accept ?? true,
    hold: null,
    log,
    bySha256,
    onFile: null,
    issueWriteToken(scope, ttlSec = 3600) {
      const accessToken = `xetw_${randomBytes(16).toString('hex')}`;
      const exp = Math.floor(Date.now() / 1000) + ttlSec;
      tokens.set(accessToken, { scope, exp });
      return { accessToken, exp };
    },
    contentOf(sha256) {
      const f = bySha256.get(sha256);
      return f ? xetFileContent(store, f) : null;
    },
    async handle(req, res, url) {
      const xorb = /^\/v1\/xorbs\/([a-z0-9-]+)\/([0-9a-f]{64})$/.exec(url.pathname);
      const chunk = /^\/v1\/chunks\/([a-z0-9-]+)\/([0-9a-f]{64})$/.exec(url.pathname);
      const shard = url.pathname === '/v1/shards' && req.method === 'POST';
      if (!(xorb && req.method === 'POST') && !(chunk && req.method === 'GET') && !shard) return false;
      const rec: XetUploadRecord = {
        kind: xorb ? 'xorb' : chunk ? 'dedup' : 'shard',
        hash: (xorb?.[2] ?? chunk?.[2] ?? null) as string | null,
        bytes: 0,
        status: 0,
      };
      log.push(rec);
      res.once('finish', () => (rec.status = res.statusCode));
      if (!authorized(req)) {
        answer(res, 401, 'invalid or expired CAS write token');
        return true;
      }
      if (xorb) await postXorb(req, res, xorb[2] as string, rec);
      else if (chunk) dedupAnswer(res, chunk[2] as string, rec);
      else await postShard(req, res, rec);
      return true;
    },
    received() {
      const xorbs = log.filter((r) => r.kind === 'xorb' && r.status === 200);
      return { xorbs: xorbs.length, bytes: xorbs.reduce((a, r) => a + r.bytes, 0), newXorbs: xorbs.filter((r) => r.inserted).length };
    },
    close: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
  return self;
}

function sha256Of(content: Content): string {
  const h = createHash('sha256');
  const step = 8 << 20;
  for (let pos = 0; pos < content.size; pos += step) h.update(content.read(pos, Math.min(content.size, pos + step)));
  return h.digest('hex');
}
