/**
 * A delta update killed with SIGKILL resumes (#26.3 "resumable"): the chunks taken from the old
 * copy are taken again (they cost no network), the ranges fetched from the CAS resume from the
 * journal at the chunk they stopped at, and over both runs the update moves under 5 % of the file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MiB } from '../fakehub/fixtures';
import { buildRepo } from '../fakehub/model';
import type { FakeHub } from '../fakehub/server';
import { pushRevision, regionReplaced } from '../fakehub/xet/delta';
import { noiseContent } from '../fakehub/xet/fixtures';
import { cliEnv, collect, runCli, startCli } from '../helpers/cli';
import { fakeHub } from '../helpers/hub';

const MB = 1e6;
const xorbBytes = (hub: FakeHub) => (hub.xet?.cas.log ?? []).filter((q) => q.url.startsWith('/xorbs/')).reduce((n, q) => n + (q.bytes ?? 0), 0);

describe('delta update resume', () => {
  it('after kill -9 mid-update, takes the old chunks again and resumes the fetched ranges: under 5 % moved in all', { timeout: 180_000 }, async () => {
    const size = 64 * MiB;
    const old = noiseContent('delta-resume', size);
    const repo = buildRepo({ id: 'acme/delta-resume', commits: [{ files: { 'model.safetensors': old } }] });
    const hub = await fakeHub({ repos: [repo], storageHost: '127.0.0.2', xet: {} });
    const env = cliEnv(hub.url);
    const first = await runCli(['download', repo.id, '--quiet'], env);
    expect(first.code, first.stderr).toBe(0);
    const cas = hub.xet?.cas;
    await expect.poll(() => cas?.log.filter((q) => q.url.startsWith('/xorbs/')).every((q) => q.bytes !== undefined), { timeout: 10_000 }).toBe(true);
    const before = xorbBytes(hub);

    // 1 MiB replaced: a few new chunks, fetched slowly enough to be killed in the middle.
    const next = regionReplaced(old, 20 * MiB + 777, 1 * MiB);
    pushRevision(repo, { 'model.safetensors': next }, 'Fix a tensor');
    hub.link.set({ perConnection: 0.2 * MB });
    const blobs = path.join(env.HF_HUB_CACHE, 'models--acme--delta-resume', 'blobs');
    const recorded = (): number => {
      const rec = fs.existsSync(blobs) ? fs.readdirSync(blobs).find((n) => n.endsWith('.ranges.incomplete')) : undefined;
      if (!rec) return 0;
      try {
        const parsed = JSON.parse(fs.readFileSync(path.join(blobs, rec), 'utf8')) as {
          done: [number, number][];
          xet?: { ranges: Record<string, { n: number }> };
        };
        const fetched = Object.values(parsed.xet?.ranges ?? {}).some((r) => r.n > 0);
        return fetched ? parsed.done.reduce((n, [a, b]) => n + b - a, 0) : 0;
      } catch {
        return 0;
      }
    };
    const child = startCli(['download', repo.id, '--quiet'], env);
    const exited = collect(child);
    const deadline = Date.now() + 90_000;
    // Killed once the old chunks are in and the CAS's ranges have begun.
    while (Date.now() < deadline && recorded() < size * 0.9) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const kept = recorded();
    expect(kept).toBeGreaterThanOrEqual(size * 0.9);
    expect(kept).toBeLessThan(size);

    hub.link.set({});
    const again = await runCli(['download', repo.id, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const out = JSON.parse(again.stdout.trim().split('\n').at(-1) as string) as { savedBytes: number };
    expect(out.savedBytes).toBeGreaterThan(size * 0.95);
    const sha = createHash('sha256').update(next.read(0, size)).digest('hex');
    expect(
      createHash('sha256')
        .update(fs.readFileSync(path.join(blobs, sha)))
        .digest('hex'),
    ).toBe(sha);
    await expect.poll(() => cas?.log.filter((q) => q.url.startsWith('/xorbs/')).every((q) => q.bytes !== undefined), { timeout: 10_000 }).toBe(true);
    expect(xorbBytes(hub) - before).toBeLessThan(size * 0.05);
    expect(fs.readdirSync(blobs).filter((n) => n.endsWith('.incomplete'))).toEqual([]);
  });
});
