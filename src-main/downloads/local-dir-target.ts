/**
 * A folder of the user's that Hubcap writes into (a `--local-dir` download, an export to another
 * app), checked before anything is placed: it exists (or may be
 * created), it is a folder of its own (not a link to somewhere else, not inside the cache), we can
 * really write there (a probe file, since root's `access` says yes even on a read-only mount), which
 * drive it is on (clone and hard link need the cache's), and which names its file system can hold.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ExportProblemCode } from '../contract/export';
import { cacheFsKind } from '../cache/fs-kind';
import { isInside, writeExclusiveSync } from '../base/untrusted-file';
import { unsafeNameReason } from '../hub/file-names';

export interface TargetFacts {
  root: string;
  rootExists: boolean;
  /** The root, or the nearest folder above it that exists. */
  existing: string;
  sameDrive: boolean;
  fsType: string;
  problems: { code: ExportProblemCode; message: string }[];
}

/** File systems that keep Windows' naming rules (reserved names, `<>:"|?*`, no trailing dot or space). */
const WINDOWS_NAMING = new Set(['vfat', 'msdos', 'exfat', 'ntfs', 'ntfs3', 'fuseblk', 'cifs', 'smb3', 'smbfs']);

function nearestExisting(p: string): string {
  let dir = p;
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** Whether a file can be created in `dir` (a probe created exclusively, then removed). */
function writable(dir: string): string | null {
  const probe = path.join(dir, `.hubcap-probe-${randomBytes(4).toString('hex')}`);
  try {
    writeExclusiveSync(probe, '');
    fs.rmSync(probe, { force: true });
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

export function examineTarget(root: string, cacheRoot: string, opts: { createFolder?: boolean | undefined } = {}): TargetFacts {
  const problems: TargetFacts['problems'] = [];
  const st = fs.lstatSync(root, { throwIfNoEntry: false });
  const existing = nearestExisting(root);
  if (st?.isSymbolicLink()) {
    const real = realOrSelf(root);
    problems.push({
      code: 'LINKS_ELSEWHERE',
      message: `${root} is a link to ${real}: choose ${real} itself, so what is placed there is where you expect it.`,
    });
  } else if (st && !st.isDirectory()) problems.push({ code: 'NOT_A_FOLDER', message: `${root} is a file, not a folder.` });
  else if (!st && !opts.createFolder)
    problems.push({ code: 'FOLDER_MISSING', message: `${root} does not exist: create it, or point to the folder the app really uses.` });

  const realTarget = path.join(realOrSelf(existing), path.relative(existing, root));
  const realCache = realOrSelf(cacheRoot);
  if (isInside(realCache, realTarget))
    problems.push({
      code: 'INSIDE_CACHE',
      message: `${root} is inside the Hugging Face cache (${cacheRoot}): the cache's own tools would take files there for theirs.`,
    });

  const denied = st && !st.isDirectory() ? null : writable(existing);
  if (denied) problems.push({ code: 'NOT_WRITABLE', message: `Hubcap cannot write in ${existing} (${denied}).` });

  const dev = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.dev;
  return {
    root,
    rootExists: st?.isDirectory() ?? false,
    existing,
    sameDrive: dev(existing) !== undefined && dev(existing) === dev(nearestExisting(cacheRoot)),
    fsType: cacheFsKind(existing).type,
    problems,
  };
}

/** Why `dest` (relative, `/`-separated) cannot be stored on this file system, or null. */
export function nameProblem(dest: string, fsType: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform === 'win32' || WINDOWS_NAMING.has(fsType)) return unsafeNameReason(dest);
  for (const seg of dest.split('/')) if (Buffer.byteLength(seg) > 255) return 'a part of it is longer than 255 bytes';
  return null;
}
