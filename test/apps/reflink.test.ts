/**
 * Adoption by copy-on-write clone, on a loop-mounted btrfs image (root and btrfs-progs needed; a
 * machine without them skips with the reason). A clone costs no space, and the cache's blob stays
 * itself when the app later rewrites its file, which is why it is preferred to a hard link.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AdoptResult } from '../../src-main/contract/apps';
import { dispatch } from '../../src-main/rpc/dispatch';
import { otherAppsHome } from '../fixtures/other-apps';
import { appsOn } from '../helpers/apps';
import { fakeHub } from '../helpers/hub';
import { btrfs } from '../helpers/mounts';

let core: ReturnType<typeof appsOn> | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

describe('adoption by clone', () => {
  it('clones into the cache at no cost in space, and the blob keeps its bytes when the app rewrites its file', async (ctx) => {
    const volume = btrfs(ctx);
    const hub = await fakeHub();
    const apps = otherAppsHome();
    // LM Studio's folder and the cache on the same btrfs.
    const lmFile = path.join(volume, 'lmstudio', 'hubcap-test', 'tiny-llama-GGUF', 'tiny-llama-F32.gguf');
    fs.mkdirSync(path.dirname(lmFile), { recursive: true });
    fs.copyFileSync(apps.lmStudio.file, lmFile);
    const cache = path.join(volume, 'hub');
    core = appsOn(hub, apps.home, cache);
    spawnSync('sync');
    const free = () => fs.statfsSync(volume).bavail * fs.statfsSync(volume).bsize;
    const before = free();
    const r = await dispatch(core.handlers, 'apps.adopt', { path: lmFile, repo: 'hubcap-test/tiny-llama-GGUF', file: 'tiny-llama-F32.gguf' });
    if (!r.ok) throw new Error(r.error.message);
    const result = r.value as AdoptResult;
    expect(result.steps).toMatchObject([{ how: 'clone', bytes: 0 }]);
    expect(result.bytesWritten).toBe(0);
    spawnSync('sync');
    // Metadata only: far less than the file's 600 kB.
    expect(before - free()).toBeLessThan(apps.tinyLlama.length / 2);
    const blobs = path.join(cache, 'models--hubcap-test--tiny-llama-GGUF', 'blobs');
    const blob = path.join(blobs, fs.readdirSync(blobs)[0] as string);
    expect(fs.statSync(blob).ino).not.toBe(fs.statSync(lmFile).ino);
    // The app rewrites its file in place: the cache's blob is unchanged.
    const fd = fs.openSync(lmFile, 'r+');
    fs.writeSync(fd, Buffer.from('XXXX'), 0, 4, 0);
    fs.closeSync(fd);
    expect(fs.readFileSync(blob).equals(apps.tinyLlama)).toBe(true);
  });
});
