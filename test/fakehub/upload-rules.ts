/**
 * The Hub's rules for writes, as the fake applies them: the default .gitattributes, which names go
 * to LFS, repo and path names, and who may write or open a pull request (`write` tokens for the
 * user's and their orgs' namespaces, fine-grained `repo.write` scoped to a namespace or a repo).
 */
import fs from 'node:fs';
import type { Content } from './content';
import type { FakeToken } from './model';

export const GITATTRIBUTES = [
  '*.bin filter=lfs diff=lfs merge=lfs -text',
  '*.gguf filter=lfs diff=lfs merge=lfs -text',
  '*.safetensors filter=lfs diff=lfs merge=lfs -text',
  '*.pt filter=lfs diff=lfs merge=lfs -text',
  '*.onnx filter=lfs diff=lfs merge=lfs -text',
  '',
].join('\n');

/** Names the default .gitattributes sends to LFS (the real list is longer; these are what models use). */
export const LFS_NAME = /\.(gguf|safetensors|bin|pt|pth|onnx|h5|msgpack|model|zip|tar|gz|ckpt|npz|pkl)$/i;
/** The Hub's regular-file limit: larger files must go through LFS. */
export const REGULAR_MAX = 10 * 1024 * 1024;
export const NAME_RE = /^(?!.*(--|\.\.))[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?$/;

/** Content read from a stored upload, so large uploads cost no memory. */
export function fileContent(file: string, size: number): Content {
  return {
    size,
    read(start, end) {
      const n = Math.max(0, Math.min(end, size) - start);
      const out = Buffer.allocUnsafe(n);
      if (n === 0) return out;
      const fd = fs.openSync(file, 'r');
      try {
        fs.readSync(fd, out, 0, n, start);
      } finally {
        fs.closeSync(fd);
      }
      return out;
    },
  };
}

export function canWrite(who: FakeToken, namespace: string, repoId: string | null): boolean {
  if (who.role === 'write') return who.user === namespace || (who.orgs ?? []).includes(namespace);
  if (who.role !== 'fineGrained') return false;
  return (who.fineGrained?.scoped ?? []).some(
    (s) =>
      s.permissions.includes('repo.write') &&
      (((s.entity.type === 'user' || s.entity.type === 'org') && s.entity.name === namespace) || (repoId !== null && s.entity.name === repoId)),
  );
}

/** Opening a pull request needs less than writing: a write token, or a fine-grained one with discussion.write. */
export function canOpenPr(who: FakeToken): boolean {
  return who.role === 'write' || (who.role === 'fineGrained' && (who.fineGrained?.global ?? []).includes('discussion.write'));
}

/** A path the Hub accepts inside a repo. */
export function badRepoPath(p: unknown): string | null {
  if (typeof p !== 'string' || p.length === 0) return 'empty path';
  if (Buffer.byteLength(p) > 1000) return 'path too long';
  if (p.startsWith('/') || p.includes('\\') || p.includes('\0')) return `invalid path "${p}"`;
  const segs = p.split('/');
  if (segs.some((s) => s === '' || s === '.' || s === '..')) return `invalid path "${p}"`;
  if (segs[0] === '.git') return `"${p}" is inside .git`;
  return null;
}
