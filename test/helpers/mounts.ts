/**
 * Real file systems for the tests that need them (as root): a small tmpfs (a full disk, another
 * drive) and a loop-mounted btrfs (copy-on-write clones). Each is unmounted after its test; where
 * they cannot be made, the test is skipped with the reason printed, never passed silently.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, type TestContext } from 'vitest';
import { tmpDir } from './tmp';

const mounts: string[] = [];
// Registered after tmp.ts's cleanup, so it runs before it: unmounted first, then the folder goes.
afterEach(() => {
  for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
});

function skip(ctx: TestContext, why: string): never {
  console.warn(`SKIPPED: ${why}`);
  ctx.skip(why);
  throw new Error(why);
}

/** A tmpfs of `mib` MiB; `need` says which tests need it, for the skip message. */
export function tmpfs(ctx: TestContext, mib: number, need: string): string {
  const dir = tmpDir('hubcap-tmpfs-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) skip(ctx, `cannot mount a tmpfs here (${(r.stderr || r.error?.message || 'not root').trim()}): ${need} need root`);
  mounts.push(dir);
  return dir;
}

/** A fresh 256 MiB btrfs, loop-mounted (root, loop devices and btrfs-progs). */
export function btrfs(ctx: TestContext): string {
  const image = path.join(tmpDir(), 'btrfs.img');
  const dir = tmpDir();
  fs.writeFileSync(image, '');
  fs.truncateSync(image, 256 << 20);
  const mkfs = spawnSync('mkfs.btrfs', ['-q', image], { encoding: 'utf8' });
  const mount = mkfs.status === 0 ? spawnSync('mount', ['-o', 'loop', image, dir], { encoding: 'utf8' }) : null;
  if (!mount || mount.status !== 0) {
    const detail = (mkfs.error?.message ?? mkfs.stderr ?? mount?.stderr ?? '').trim() || 'not root';
    skip(ctx, `cannot make a btrfs here (${detail}): the clone test needs root, loop devices and btrfs-progs`);
  }
  mounts.push(dir);
  return dir;
}
