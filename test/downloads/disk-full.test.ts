/**
 * A full disk is a failure, never a success: on a small tmpfs (the tests run as root), a download
 * that cannot fit fails at once with DISK_FULL and the space it needs; one whose disk fills up
 * mid-file (another program wrote) keeps its partial, lands nothing, and resumes once there is room.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MiB, tinyLlm } from '../fakehub/fixtures';
import { fakeHub, hubHttp, manager } from '../helpers/hub';
import { partialOf } from '../helpers/files';
import { runCli } from '../helpers/cli';
import { tmpfs } from '../helpers/mounts';
import { sha256Of } from '../fakehub/content';
import { noiseContent, XET_FILE, xetRepo } from '../fakehub/xet/fixtures';

const q8 = tinyLlm().commits[0]?.files.get('tiny-llm-Q8_0.gguf');

/** Writes until the disk is full, leaving about `leave` bytes free. */
function fill(dir: string, leave: number): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      const { bavail, bsize } = fs.statfsSync(dir);
      if (bavail * bsize <= leave + chunk.length) break;
      fs.writeSync(fd, chunk);
    }
  } catch {
    // ENOSPC: full enough
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

describe('downloads on a full disk', () => {
  it('refuses at once, with the space it needs and where, exits non-zero and leaves nothing', async (ctx) => {
    const mount = tmpfs(ctx, 5, 'the disk-full tests');
    const hub = await fakeHub();
    const cache = path.join(mount, 'hub');
    const r = await runCli(['download', 'acme/tiny-llm', 'tiny-llm-Q8_0.gguf'], { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^hubcap: The disk holding ${cache}/models--acme--tiny-llm/blobs is full: tiny-llm-Q8_0\\.gguf needs 5\\.2\\d MB more and [\\d.]+ MB are free\\.`,
      ),
    );
    const blobs = path.join(cache, 'models--acme--tiny-llm', 'blobs');
    expect(fs.existsSync(blobs) ? fs.readdirSync(blobs) : []).toEqual([]);
    expect(hub.log.filter((l) => l.origin === 'cdn')).toEqual([]);
  });

  it('fails mid-file when another program fills the disk, keeps the partial, lands nothing, and resumes once there is room', async (ctx) => {
    const mount = tmpfs(ctx, 9, 'the disk-full tests');
    const hub = await fakeHub();
    hub.faults.add({ kind: 'throttle', origin: 'cdn', bytesPerSecond: 2 * MiB, pathIncludes: q8?.sha256 });
    const cache = path.join(mount, 'hub');
    const { m } = manager(hubHttp(hub), { cacheDir: () => cache });
    const job = m.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q8_0.gguf'] });
    const folder = path.join(cache, 'models--acme--tiny-llm');
    await expect
      .poll(
        () => {
          const p = partialOf(folder, q8?.sha256 as string);
          return p ? fs.statSync(p).size : 0;
        },
        { timeout: 10_000 },
      )
      .toBeGreaterThan(MiB);
    const filler = fill(mount, 64 * 1024);
    await m.whenIdle();
    const failed = m.get(job.id);
    expect(failed.state).toBe('error');
    expect(failed.error?.code).toBe('DISK_FULL');
    expect(failed.error?.message).toMatch(/is full: tiny-llm-Q8_0\.gguf needs [\d.]+ MB more/);
    expect(fs.existsSync(path.join(folder, 'blobs', q8?.sha256 as string))).toBe(false);
    const kept = fs.statSync(partialOf(folder, q8?.sha256 as string) as string).size;
    expect(kept).toBeGreaterThan(MiB);
    expect(kept).toBeLessThan(q8?.content.size as number);

    fs.rmSync(filler);
    m.retry(job.id);
    await m.whenIdle();
    expect(m.get(job.id).state).toBe('done');
    const last = hub.log.filter((l) => l.origin === 'cdn' && l.url.includes(q8?.sha256 as string)).at(-1);
    expect(Number(/bytes=(\d+)-/.exec(last?.headers.range ?? '')?.[1])).toBe(kept);
    const blob = path.join(folder, 'blobs', q8?.sha256 as string);
    expect(createHash('sha256').update(fs.readFileSync(blob)).digest('hex')).toBe(q8?.sha256);
  });

  it('a Xet download whose disk fills mid-file fails as DISK_FULL at once: no retry, no fallback to the classic road', async (ctx) => {
    const mount = tmpfs(ctx, 12, 'the disk-full tests');
    const content = noiseContent('xet-disk-full', 8 * MiB);
    const hub = await fakeHub({ repos: [xetRepo('acme/xet-full', content)], storageHost: '127.0.0.2', xet: { maxXorbBytes: MiB, compression: 'none' } });
    hub.link.set({ perConnection: 400_000 });
    const cache = path.join(mount, 'hub');
    const { m } = manager(hubHttp(hub), { cacheDir: () => cache });
    const job = m.add({ repoType: 'model', repo: 'acme/xet-full', revision: 'main', files: [XET_FILE] });
    const folder = path.join(cache, 'models--acme--xet-full');
    const sha = sha256Of(content);
    await expect.poll(() => partialOf(folder, sha) !== null, { timeout: 10_000 }).toBe(true);
    fill(mount, 64 * 1024);
    const filledAt = Date.now();
    await m.whenIdle();
    const failed = m.get(job.id);
    expect(failed.state).toBe('error');
    expect(failed.error?.code).toBe('DISK_FULL');
    // The write error ended the file: no backoff and retries as for a network fault, and no whole-file bridge.
    expect(Date.now() - filledAt).toBeLessThan(5000);
    expect(hub.log.filter((l) => l.origin === 'cdn')).toEqual([]);
    expect(partialOf(folder, sha)).not.toBeNull();
    expect(fs.existsSync(path.join(folder, 'blobs', sha))).toBe(false);
  });
});
