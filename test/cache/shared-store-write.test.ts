/**
 * #24.3 and #24.4: Hubcap writes into huggingface_hub 2.0's shared store as Python does (manifest
 * line first, payload moved in, link renamed into place), links a present payload without
 * downloading only after checking its sha256 (hashed once, remembered by inode), refuses a corrupt
 * one and repairs it with verified bytes; Python's own hf cache rm and offline hf_hub_download agree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetHashes, hashStats } from '../../src-main/cache/payload-hash';
import { scanCache } from '../../src-main/cache/scan';
import { linkFromStore, publishToStore, storeDisabledByEnv, storeInUse, type StoreFile } from '../../src-main/cache/store-publish';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';
import { commitOf, hfCli, pyBuild, pyLoad, pyScan, SHARED, sha256, twoRepos, xetHashOf } from './hf2-store';

const NEW = Buffer.alloc(4000, 3);
const USE = { disabled: false, create: false };
const payloadOf = (cache: string, data: Buffer) => path.join(cache, 'blobs', xetHashOf(data).slice(0, 2), xetHashOf(data));

function fileOf(cache: string, folder: string, data: Buffer): StoreFile {
  return { cacheDir: cache, repoFolder: folder, etag: sha256(data), xetHash: xetHashOf(data), size: data.length };
}

/** What the download engine leaves before publishing: the verified blob under its name. */
function downloaded(cache: string, folder: string, data: Buffer): void {
  const blob = path.join(cache, folder, 'blobs', sha256(data));
  fs.mkdirSync(path.dirname(blob), { recursive: true });
  fs.writeFileSync(blob, data);
}

/** The snapshot link and ref the engine writes after the blob is in place. */
function snapshot(cache: string, folder: string, seed: string, file: string, data: Buffer): void {
  const snap = path.join(cache, folder, 'snapshots', commitOf(seed));
  fs.mkdirSync(snap, { recursive: true });
  fs.symlinkSync(`../../blobs/${sha256(data)}`, path.join(snap, file));
  fs.mkdirSync(path.join(cache, folder, 'refs'), { recursive: true });
  fs.writeFileSync(path.join(cache, folder, 'refs', 'main'), commitOf(seed));
}

beforeEach(() => forgetHashes());

describe('writing the shared blob store', () => {
  it('links a payload Python put there without a download, and Python deleting its repos leaves ours intact', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    expect(await linkFromStore(fileOf(cache, 'models--org--c', SHARED))).toBe('linked');
    snapshot(cache, 'models--org--c', 'c1', 'shared.gguf', SHARED);
    expect(fs.readlinkSync(path.join(cache, 'models--org--c', 'blobs', sha256(SHARED)))).toBe(
      `../../blobs/${xetHashOf(SHARED).slice(0, 2)}/${xetHashOf(SHARED)}`,
    );
    expect(fs.readFileSync(`${payloadOf(cache, SHARED)}.refs`, 'utf8')).toContain(`models--org--c/blobs/${sha256(SHARED)}\n`);

    for (const repo of ['model/org/a', 'model/org/b']) expect((await hfCli(cache, ['cache', 'rm', repo, '-y'])).code).toBe(0);
    expect(await pyLoad(cache, 'org/c', 'shared.gguf')).toBe(sha256(SHARED));
    expect((await pyScan(cache)).warnings).toEqual([]);
    expect(scanCache(cache).repos.map((r) => r.id)).toEqual(['org/c']);
  });

  it('publishes a fresh download as Python does, and its repos survive Hubcap deleting ours', async () => {
    const cache = tmpDir();
    // Hubcap downloads first, into a cache where the setting allows making the store.
    downloaded(cache, 'models--org--ours', NEW);
    expect(await publishToStore(fileOf(cache, 'models--org--ours', NEW), { disabled: false, create: true })).toBe(true);
    snapshot(cache, 'models--org--ours', 'o1', 'new.gguf', NEW);
    expect(fs.readFileSync(path.join(cache, 'blobs', '.huggingface-shared-blobs'), 'utf8')).toBe('1\n');
    expect(fs.statSync(payloadOf(cache, NEW)).mode & 0o777).toBe(0o400);
    // Python reuses our payload for its own repo (try_link_from_shared_store), without a download.
    await pyBuild(cache, [{ folder: 'models--org--theirs', commit: commitOf('t1'), files: [{ path: 'w.gguf', data: NEW, xet: true }] }]);
    expect(fs.lstatSync(path.join(cache, 'models--org--theirs', 'blobs', sha256(NEW))).isSymbolicLink()).toBe(true);
    expect(scanCache(cache).sizeOnDisk).toBe(4000);

    const rm = await runCli(['cache', 'rm', 'org/ours'], { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
    expect(rm.stdout).toContain('Freed 0 B.');
    expect(await pyLoad(cache, 'org/theirs', 'w.gguf')).toBe(sha256(NEW));
    expect((await pyScan(cache)).size_on_disk).toBe(4000);
  });

  it('refuses a corrupt payload, and a verified download repairs it for every repo', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    // Python published bytes of the right length but the wrong content (a corrupt xorb: measured).
    fs.chmodSync(payloadOf(cache, SHARED), 0o600);
    const fd = fs.openSync(payloadOf(cache, SHARED), 'r+');
    fs.writeSync(fd, Buffer.alloc(16, 0xff), 0, 16, 100);
    fs.closeSync(fd);
    expect(await pyLoad(cache, 'org/a', 'shared.gguf')).not.toBe(sha256(SHARED)); // Python loads it without a word

    expect(await linkFromStore(fileOf(cache, 'models--org--c', SHARED))).toBe('corrupt');
    expect(fs.existsSync(path.join(cache, 'models--org--c', 'blobs', sha256(SHARED)))).toBe(false);

    // The engine downloads instead; publishing the verified bytes replaces the corrupt payload.
    downloaded(cache, 'models--org--c', SHARED);
    expect(await publishToStore(fileOf(cache, 'models--org--c', SHARED), USE)).toBe(true);
    expect(await pyLoad(cache, 'org/a', 'shared.gguf')).toBe(sha256(SHARED));
    expect(fs.readFileSync(payloadOf(cache, SHARED)).equals(SHARED)).toBe(true);
  });

  it('hashes a payload once, remembering it by inode, size and times; an in-place change is hashed again', async () => {
    const cache = tmpDir();
    await pyBuild(cache, twoRepos());
    expect(await linkFromStore(fileOf(cache, 'models--org--c', SHARED))).toBe('linked');
    expect(await linkFromStore(fileOf(cache, 'models--org--d', SHARED))).toBe('linked');
    expect(hashStats).toEqual({ hashed: 1, remembered: 1 });
    fs.chmodSync(payloadOf(cache, SHARED), 0o600);
    fs.writeFileSync(payloadOf(cache, SHARED), Buffer.alloc(5000, 1));
    expect(await linkFromStore(fileOf(cache, 'models--org--e', SHARED))).toBe('corrupt');
    expect(hashStats.hashed).toBe(2);
  });

  it('keeps a plain cache plain unless the setting says otherwise, and honours the environment', async () => {
    const cache = tmpDir();
    downloaded(cache, 'models--org--plain', NEW);
    expect(storeInUse(cache, USE)).toBe(false);
    expect(await publishToStore(fileOf(cache, 'models--org--plain', NEW), USE)).toBe(false);
    expect(fs.existsSync(path.join(cache, 'blobs'))).toBe(false);
    expect(fs.lstatSync(path.join(cache, 'models--org--plain', 'blobs', sha256(NEW))).isFile()).toBe(true);

    expect(storeDisabledByEnv({ HF_HUB_DISABLE_SHARED_BLOBS: '1' })).toBe(true);
    expect(storeDisabledByEnv({ HF_HUB_DISABLE_XET: 'yes' })).toBe(true);
    expect(storeDisabledByEnv({ HF_HUB_DISABLE_XET: '0' })).toBe(false);
    const withStore = tmpDir();
    await pyBuild(withStore, twoRepos());
    expect(storeInUse(withStore, USE)).toBe(true);
    expect(storeInUse(withStore, { disabled: true, create: true })).toBe(false);
    expect(await linkFromStore(fileOf(withStore, 'models--org--c', Buffer.alloc(1)))).toBe('absent');
  });
});
