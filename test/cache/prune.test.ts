/**
 * Cleaning up a shared cache: stale unfinished downloads and detached revisions go, planned first
 * and shown with their sizes; what someone is writing right now (its lock is held, or it just
 * changed) stays.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitOf, sha256, writePythonRevision } from '../helpers/python-cache';
import { startPythonWriter } from '../helpers/python';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';
import { scanCache } from '../../src-main/cache/scan';
import { activePartials, planDelete } from '../../src-main/cache/service';

const A = commitOf('a');
const B = commitOf('b');
const FOLDER = 'models--org--llm';

function cacheWithLeftovers(): { cache: string; stale: string; fresh: string; held: string } {
  const cache = path.join(tmpDir(), 'hub');
  const shared = { path: 'config.json', data: '{"shared":true}' };
  writePythonRevision(cache, FOLDER, A, [shared, { path: 'new.gguf', data: Buffer.alloc(3000, 1), lfs: true }], { refs: ['main'] });
  writePythonRevision(cache, FOLDER, B, [shared, { path: 'old.gguf', data: Buffer.alloc(5000, 2), lfs: true }]);
  const blobs = path.join(cache, FOLDER, 'blobs');
  const stale = path.join(blobs, `${sha256('x')}.incomplete`); // an old Python crashed mid-file long ago
  fs.writeFileSync(stale, Buffer.alloc(7000));
  const old = new Date(Date.now() - 3600_000);
  fs.utimesSync(stale, old, old);
  const held = path.join(blobs, `${sha256('y')}.1234abcd.incomplete`); // someone is writing it now
  fs.writeFileSync(held, Buffer.alloc(1100));
  fs.utimesSync(held, old, old);
  const fresh = path.join(blobs, `${sha256('z')}.incomplete`); // a tool without locks, writing now
  fs.writeFileSync(fresh, Buffer.alloc(900));
  return { cache, stale, fresh, held };
}

describe('cache prune', () => {
  it('plans stale partials and detached revisions, keeping what is being written', async () => {
    const { cache, stale, fresh, held } = cacheWithLeftovers();
    const py = startPythonWriter(['hold', path.join(cache, '.locks', FOLDER, `${sha256('y')}.lock`), '30']);
    await py.waitFor('locked');
    try {
      const scan = scanCache(cache);
      const active = await activePartials(scan);
      expect([...active].sort()).toEqual([fresh, held].sort());
      const plan = planDelete(scan, [{ kind: 'incomplete' }, { kind: 'detached' }], { partials: active, snapshots: [] });
      // old.gguf (5000) is freed with the detached revision; config.json is shared with main and stays.
      expect(plan.freedBytes).toBe(7000 + 5000);
      expect(plan.summary).toEqual([
        { label: `unfinished download of ${sha256('x').slice(0, 12)}… in org/llm`, bytes: 7000 },
        { label: `org/llm@${B.slice(0, 8)}`, bytes: 5000 },
      ]);

      const dry = await runCli(['cache', 'prune', '--dry-run'], { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('would delete unfinished download');
      expect(dry.stdout).toContain(`would delete org/llm@${B.slice(0, 8)} (5.00 kB)`);
      expect(dry.stdout).toContain('keeping 2 unfinished downloads being written right now');
      expect(fs.existsSync(stale)).toBe(true);

      const run = await runCli(['cache', 'prune'], { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
      expect(run.code).toBe(0);
      expect(fs.existsSync(stale)).toBe(false);
      expect(fs.existsSync(held)).toBe(true);
      expect(fs.existsSync(fresh)).toBe(true);
      const after = scanCache(cache);
      expect(after.repos[0]?.revisions.map((r) => r.commit)).toEqual([A]);
      expect(after.warnings).toEqual([]);
    } finally {
      py.proc.kill();
    }
  });

  it('says when there is nothing to prune', async () => {
    const cache = path.join(tmpDir(), 'hub');
    writePythonRevision(cache, FOLDER, A, [{ path: 'a.json', data: '{}' }], { refs: ['main'] });
    const r = await runCli(['cache', 'prune'], { HF_HUB_CACHE: cache, HF_HUB_OFFLINE: '1' });
    expect(r.stdout).toBe('Nothing to prune.\n');
  });
});
