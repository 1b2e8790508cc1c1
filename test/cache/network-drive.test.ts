/**
 * #24.6: a cache on a network drive. Two bindfs FUSE mounts of one folder have separate lock
 * domains, like two machines on NFS: a lock taken through one is not seen through the other.
 * Hubcap works through one mount, huggingface_hub 2.0 and a second Hubcap through the other, all downloading,
 * deleting and pruning the same store at once, for 20 rounds: no file ever holds a wrong byte, and
 * a delete on such a drive leaves payloads for an explicit prune, saying why.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executePlan, planDeletion } from '../../src-main/cache/delete-plan';
import { cacheFsKind, fsTypeFromMountinfo } from '../../src-main/cache/fs-kind';
import { forgetHashes } from '../../src-main/cache/payload-hash';
import { scanCache } from '../../src-main/cache/scan';
import { planDelete } from '../../src-main/cache/service';
import { linkFromStore, publishToStore } from '../../src-main/cache/store-publish';
import { verifyRepo } from '../../src-main/cache/verify';
import { hfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';
import { commitOf, pyBuild, SHARED, sha256, twoRepos, xetHashOf } from './hf2-store';

const SCRIPT = new URL('./hf2_store.py', import.meta.url).pathname;
const BINDFS_HINT = 'sudo apt-get install -y bindfs (and run as root, with /dev/fuse)';
const mounted: string[] = [];
// Registered after tmp.ts's cleanup, so it runs first: unmounted, then the folders go.
afterEach(() => {
  for (const m of mounted.splice(0)) spawnSync('umount', ['-l', m]);
});

/** Two FUSE views of one new folder, in separate lock domains. */
function twoMachines(): { real: string; a: string; b: string } {
  const base = tmpDir('hubcap-nfs-');
  const [real, a, b] = ['real', 'a', 'b'].map((n) => path.join(base, n)) as [string, string, string];
  for (const d of [real, a, b]) fs.mkdirSync(d);
  for (const m of [a, b]) {
    const r = spawnSync('bindfs', [real, m], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`These tests need bindfs (${(r.stderr || r.error?.message || '').trim()}). Install it:  ${BINDFS_HINT}`);
    mounted.push(m);
  }
  return { real, a, b };
}

const policy = { disabled: false, create: false };

/** What the download engine does for one Xet file: link from the store, else "download" (verified bytes) and publish. */
async function hubcapGet(cache: string, folder: string, seed: string, name: string, data: Buffer): Promise<void> {
  const f = { cacheDir: cache, repoFolder: folder, etag: sha256(data), xetHash: xetHashOf(data), size: data.length };
  const blob = path.join(cache, folder, 'blobs', f.etag);
  if ((await linkFromStore(f)) !== 'linked') {
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    const tmp = `${blob}.${process.pid}.incomplete`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, blob);
    await publishToStore(f, policy);
  }
  const snap = path.join(cache, folder, 'snapshots', commitOf(seed));
  fs.mkdirSync(snap, { recursive: true });
  fs.rmSync(path.join(snap, name), { force: true });
  fs.symlinkSync(`../../blobs/${f.etag}`, path.join(snap, name));
  fs.mkdirSync(path.join(cache, folder, 'refs'), { recursive: true });
  fs.writeFileSync(path.join(cache, folder, 'refs', 'main'), commitOf(seed));
}

describe('a cache on a network drive (two bindfs mounts, two lock domains)', () => {
  it('reads the mount as a file system whose locks may stay on one machine', () => {
    const { a } = twoMachines();
    expect(cacheFsKind(a)).toEqual({ type: 'fuse', shared: true });
    expect(fsTypeFromMountinfo('36 25 0:40 / /mnt/models rw - nfs4 server:/x rw\n37 25 8:1 / / rw - ext4 /dev/sda1 rw', '/mnt/models/hub').toString()).toBe(
      'nfs4',
    );
    expect(cacheFsKind(tmpDir()).shared).toBe(false);
  });

  it('a delete there leaves payloads for an explicit prune, and says why', async () => {
    const { a } = twoMachines();
    await pyBuild(a, twoRepos());
    const scan = scanCache(a);
    const plan = planDelete(scan, [{ kind: 'repo', repo: 'model:org/a' }], { partials: new Set(), snapshots: [] });
    expect(plan.freedBytes).toBe(7);
    expect(plan.kept.map((k) => k.label)).toContainEqual(expect.stringContaining('this cache is on fuse, where another machine may be linking them right now'));
    const prune = planDelete(scan, [{ kind: 'store' }], { partials: new Set(), snapshots: [] });
    expect(prune.summary).toEqual([]); // nothing unlinked yet
  });

  it('two Hubcaps and Python 2.0 across two machines, downloading, deleting and pruning at once: 20 rounds, 0 corrupt files', async () => {
    const { real, a, b } = twoMachines();
    const ROUNDS = 20;
    forgetHashes();
    const py = spawn(hfPython(), [SCRIPT, 'churn', b, String(ROUNDS), SHARED.toString('hex')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let pyErr = '';
    py.stderr.on('data', (d: Buffer) => (pyErr += d.toString()));
    const pyDone = new Promise<number | null>((resolve) => py.once('exit', resolve));
    // Python's rounds counted as they pass; each Hubcap round starts once Python is under way with its own.
    let pyRounds = 0;
    const progressed = new Set<() => void>();
    py.stdout.on('data', (d: Buffer) => {
      pyRounds += (d.toString().match(/round /g) ?? []).length;
      for (const f of progressed) f();
    });
    const pythonAt = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (pyRounds >= n || py.exitCode !== null ? (progressed.delete(check), resolve()) : undefined);
        progressed.add(check);
        void pyDone.then(check);
        check();
      });
    // Two Hubcaps: one through mount a, a second through mount b beside Python (each its own lock domain from a).
    const hubcap = async (cache: string, org: string, fill: number) => {
      for (let i = 0; i < ROUNDS; i++) {
        await pythonAt(Math.floor(i / 2) + 1);
        await hubcapGet(cache, `models--${org}--r${i % 3}`, `${org}${i}`, 'shared.bin', SHARED);
        await hubcapGet(cache, `models--${org}--r${i % 3}`, `${org}${i}`, `own${i}.bin`, Buffer.alloc(3000 + i, fill + i));
        const doomed = `${org}/r${(i + 1) % 3}`;
        if (scanCache(cache).repos.some((r) => r.id === doomed))
          await executePlan(cache, planDeletion(scanCache(cache), [{ kind: 'repo', repo: `model:${doomed}` }], { sharedFs: cacheFsKind(cache) }));
        if (i % 5 === 4) await executePlan(cache, planDeletion(scanCache(cache), [{ kind: 'store' }], { sharedFs: cacheFsKind(cache) }));
      }
    };
    await Promise.all([hubcap(a, 'hub', 0), hubcap(b, 'hub2', 100)]);
    expect(await pyDone, pyErr.slice(-2000)).toBe(0);

    // Every file either side can read holds exactly the bytes its name says: 0 corrupt.
    let checked = 0;
    for (const repo of scanCache(real).repos) {
      const { checks } = await verifyRepo(repo);
      const corrupt = checks.filter((c) => !c.ok && c.actual !== 'unreadable');
      expect(corrupt.map((c) => c.files.join(','))).toEqual([]);
      checked += checks.filter((c) => c.ok).length;
    }
    expect(checked).toBeGreaterThan(0);
    // Each Hubcap's latest files are whole, or, where a collector on the other machine took a payload
    // after its last look (a window no client can close without shared locks), the scan says so: never silently.
    const after = scanCache(real);
    for (const org of ['hub', 'hub2']) {
      const last = after.repos.find((r) => r.id === `${org}/r${(ROUNDS - 1) % 3}`);
      const { checks } = await verifyRepo(last as never);
      const missing = after.warnings.filter((w) => w.kind === 'dangling-link' && w.repo === `model:${org}/r${(ROUNDS - 1) % 3}`);
      expect(checks.length + missing.length).toBe(2);
      expect(checks.every((c) => c.ok)).toBe(true);
    }
  }, 300_000);
});
