/**
 * Writes a cache the way Python's huggingface_hub lays it out, without Python: blobs named by
 * etag, relative symlinks of depth-correct `../`, refs with no newline, a PR ref, nested files.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tmpDir } from './tmp';

export function gitSha1(data: Buffer | string): string {
  const b = Buffer.from(data);
  return createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
}
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
export function commitOf(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

export interface PyFile {
  path: string;
  data: Buffer | string;
  lfs?: boolean;
}

/** Adds one revision of a repo to a cache, Python-style. Returns the etags by path. */
export function writePythonRevision(
  cache: string,
  folder: string,
  commit: string,
  files: PyFile[],
  opts: { refs?: string[]; symlinks?: boolean } = {},
): Record<string, string> {
  const repo = path.join(cache, folder);
  const etags: Record<string, string> = {};
  for (const f of files) {
    const etag = f.lfs ? sha256(f.data) : gitSha1(f.data);
    etags[f.path] = etag;
    const target = path.join(repo, 'snapshots', commit, ...f.path.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (opts.symlinks === false) {
      fs.writeFileSync(target, f.data);
    } else {
      const blob = path.join(repo, 'blobs', etag);
      fs.mkdirSync(path.dirname(blob), { recursive: true });
      fs.writeFileSync(blob, f.data);
      const depth = f.path.split('/').length - 1;
      fs.symlinkSync(`${'../'.repeat(2 + depth)}blobs/${etag}`, target);
    }
  }
  fs.mkdirSync(path.join(repo, 'snapshots', commit), { recursive: true });
  for (const ref of opts.refs ?? []) {
    const file = path.join(repo, 'refs', ...ref.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, commit);
  }
  return etags;
}

export const A = commitOf('a');
export const B = commitOf('b');

/** org/llm with two revisions sharing config.json; a 1000-byte and a 2000-byte weight each. */
export function pythonCache(): string {
  const cache = tmpDir();
  const shared = { path: 'config.json', data: '{"a":1}' };
  writePythonRevision(cache, 'models--org--llm', A, [shared, { path: 'w/model.gguf', data: Buffer.alloc(1000, 1), lfs: true }], { refs: ['v1'] });
  writePythonRevision(cache, 'models--org--llm', B, [shared, { path: 'w/model.gguf', data: Buffer.alloc(2000, 2), lfs: true }], {
    refs: ['main', 'refs/pr/1'],
  });
  writePythonRevision(cache, 'datasets--org--data', A, [{ path: 'd.csv', data: 'x,y\n' }], { refs: ['main'] });
  return cache;
}
