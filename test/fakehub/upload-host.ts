/**
 * The fake Hub's upload host (docs/hub-protocol.md §5.7, step 3): basic PUTs of whole objects, the
 * parts of a multipart upload and their completion. It stores what it gets, checks size and sha256
 * (and each part's ETag), honours `drop` and `throttle` faults, and needs no Hub token.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Fault } from './faults';
import { hubError, json, readBody } from './http-util';

export interface UploadHostContext {
  /** Folder of stored objects and incoming parts. */
  storage: string;
  /** sha256 → stored file and size; written here when an object is complete. */
  stored: Map<string, { file: string; size: number }>;
  chunkSize: number;
  takeFaults(method: string, path: string): Fault[];
}

export function createUploadHost(ctx: UploadHostContext) {
  const { storage, stored, chunkSize } = ctx;
  /** Streams a request body to a file, hashing it; honours a `drop` fault (the connection cut after N bytes). */
  const receive = (req: http.IncomingMessage, file: string, faults: Fault[]) =>
    new Promise<{ size: number; sha256: string; md5: string } | null>((resolve, reject) => {
      const out = fs.createWriteStream(file);
      const hash = createHash('sha256');
      const md5 = createHash('md5');
      const drop = faults.find((f) => f.kind === 'drop');
      const throttle = faults.find((f) => f.kind === 'throttle')?.bytesPerSecond;
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        hash.update(c);
        md5.update(c);
        const wrote = out.write(c);
        if (throttle) {
          // A slow link: take no more bytes until this chunk's time at the rate is over.
          req.pause();
          setTimeout(() => (wrote ? req.resume() : out.once('drain', () => req.resume())), (c.length / throttle) * 1000);
        } else if (!wrote) {
          req.pause();
          out.once('drain', () => req.resume());
        }
        if (drop && size >= (drop.afterBytes ?? 0)) {
          req.socket.destroy();
          out.destroy();
          resolve(null);
        }
      });
      req.on('end', () => out.end(() => resolve({ size, sha256: hash.digest('hex'), md5: md5.digest('hex') })));
      req.on('error', () => {
        out.destroy();
        resolve(null);
      });
      out.on('error', reject);
    });

  /** The upload host: PUT objects and parts, POST multipart completion. No Hub token is needed or wanted here. */
  async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://upload');
    const faults = ctx.takeFaults(req.method ?? 'PUT', url.pathname);
    const status = faults.find((f) => f.kind === 'status');
    if (status) {
      await readBody(req, Infinity).catch(() => '');
      return hubError(
        res,
        status.status ?? 500,
        null,
        `Injected ${status.status ?? 500}`,
        status.retryAfter !== undefined ? { 'Retry-After': String(status.retryAfter) } : {},
      );
    }
    const size = Number(url.searchParams.get('size'));
    const basic = /^\/upload\/([0-9a-f]{64})$/.exec(url.pathname);
    const part = /^\/upload\/([0-9a-f]{64})\/part\/(\d{1,5})$/.exec(url.pathname);
    const complete = /^\/upload\/([0-9a-f]{64})\/complete$/.exec(url.pathname);
    if (basic && req.method === 'PUT') {
      const oid = basic[1] as string;
      const tmp = path.join(storage, `${oid}.${randomUUID()}.incoming`);
      const got = await receive(req, tmp, faults);
      if (!got) return void fs.rmSync(tmp, { force: true });
      if (got.size !== size || got.sha256 !== oid) {
        fs.rmSync(tmp, { force: true });
        return hubError(
          res,
          400,
          null,
          `The uploaded bytes do not match: expected ${size} bytes with sha256 ${oid}, got ${got.size} bytes with ${got.sha256}.`,
        );
      }
      const final = path.join(storage, oid);
      fs.renameSync(tmp, final);
      stored.set(oid, { file: final, size });
      res.writeHead(200, { ETag: `"${oid}"`, 'Content-Length': '0' });
      return void res.end();
    }
    if (part && req.method === 'PUT') {
      const file = path.join(storage, `${part[1]}.part${Number(part[2])}`);
      const got = await receive(req, file, faults);
      if (!got) return void fs.rmSync(file, { force: true });
      res.writeHead(200, { ETag: `"${got.md5}"`, 'Content-Length': '0' });
      return void res.end();
    }
    if (complete && req.method === 'POST') {
      const oid = complete[1] as string;
      let body: { oid?: unknown; parts?: { partNumber?: unknown; etag?: unknown }[] };
      try {
        body = JSON.parse(await readBody(req, 1 << 20)) as typeof body;
      } catch {
        return hubError(res, 400, null, 'Invalid JSON body');
      }
      const parts = Array.isArray(body.parts) ? body.parts : [];
      const expected = Math.ceil(size / chunkSize);
      if (body.oid !== oid || parts.length !== expected) return hubError(res, 400, null, `Expected ${expected} parts for ${oid}`);
      const final = path.join(storage, oid);
      const tmp = `${final}.${randomUUID()}.incoming`;
      const hash = createHash('sha256');
      let total = 0;
      for (let i = 1; i <= expected; i++) {
        const partFile = path.join(storage, `${oid}.part${i}`);
        const entry = parts.find((x) => x.partNumber === i);
        if (!fs.existsSync(partFile) || !entry) {
          fs.rmSync(tmp, { force: true });
          return hubError(res, 400, null, `Part ${i} of ${oid} was never uploaded`);
        }
        const data = fs.readFileSync(partFile);
        if (entry.etag !== `"${createHash('md5').update(data).digest('hex')}"`) {
          fs.rmSync(tmp, { force: true });
          return hubError(res, 400, null, `Part ${i} of ${oid}: the ETag does not match`);
        }
        hash.update(data);
        total += data.length;
        fs.appendFileSync(tmp, data);
      }
      if (total !== size || hash.digest('hex') !== oid) {
        fs.rmSync(tmp, { force: true });
        return hubError(res, 400, null, `The uploaded parts do not make ${oid} (${total} bytes).`);
      }
      fs.renameSync(tmp, final);
      for (let i = 1; i <= expected; i++) fs.rmSync(path.join(storage, `${oid}.part${i}`), { force: true });
      stored.set(oid, { file: final, size });
      return json(res, 200, {});
    }
    hubError(res, 404, null, 'Not Found');
  }

  return handleUpload;
}
