/**
 * What file system a cache lives on (#24.6). On NFS, SMB, sshfs and their kin, flock may be local
 * to one machine or missing, so another machine's Python can collect a shared payload while we
 * link it: there, collection runs only when the user asks. Decided from the mount's type; a type
 * we do not know as local (any FUSE file system included) counts as shared: unsure means careful.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readOwnFileSync } from '../base/atomic-write';

const LOCAL = new Set([
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'btrfs',
  'tmpfs',
  'zfs',
  'f2fs',
  'overlay',
  'bcachefs',
  'jfs',
  'reiserfs',
  'ramfs',
  'vfat',
  'exfat',
  'ntfs3',
  'apfs',
  'hfs',
]);

export interface FsKind {
  /** The mount's type (`nfs4`, `fuse.sshfs`, `ext4`…), or `unknown`. */
  type: string;
  /** Locks may not reach other machines: collect shared payloads only on request. */
  shared: boolean;
}

/** `\040`-style escapes of /proc/self/mountinfo. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** The mount holding `dir` and its type, from mountinfo text (the longest mount point that contains it). */
export function fsTypeFromMountinfo(mountinfo: string, dir: string): string {
  let best = { point: '', type: 'unknown' };
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    const point = unescape(left?.split(' ')[4] ?? '');
    const type = right?.split(' ')[0];
    if (!point || !type) continue;
    const inside = dir === point || dir.startsWith(point.endsWith('/') ? point : `${point}/`);
    if (inside && point.length >= best.point.length) best = { point, type };
  }
  return best.type;
}

export function fsKindOf(type: string): FsKind {
  return { type, shared: !LOCAL.has(type) };
}

/** The file system of a cache folder (or of the nearest existing folder above it). */
export function cacheFsKind(dir: string): FsKind {
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  if (process.platform === 'win32') return { type: /^\\\\/.test(existing) ? 'smb' : 'ntfs', shared: /^\\\\/.test(existing) };
  if (process.platform !== 'linux') return { type: 'unknown', shared: false }; // only Linux says which mount; elsewhere local is assumed
  try {
    // The kernel's own table (its size reads as 0, so it is read whole, not through a size-bounded reader).
    return fsKindOf(fsTypeFromMountinfo(readOwnFileSync('/proc/self/mountinfo'), fs.realpathSync(existing)));
  } catch {
    return { type: 'unknown', shared: true };
  }
}
