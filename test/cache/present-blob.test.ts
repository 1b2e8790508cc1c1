/**
 * #24.4 in the download engine: a blob another program finished while we waited for its lock is
 * checked (hashed once per inode) before it counts as done; wrong bytes of the right length (what
 * Python's Xet path lets through) are fetched again, never linked.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobLockPath } from '../../src-main/cache/blob-lock';
import { tinyLlm } from '../fakehub/fixtures';
import { fakeHub, hubHttp, manager, requestsTo } from '../helpers/hub';
import { startPythonWriter } from '../helpers/python';

const q8 = tinyLlm().commits[0]?.files.get('tiny-llm-Q8_0.gguf');
const FOLDER = 'models--acme--tiny-llm';

describe('a present blob someone else wrote', () => {
  it('is hashed before it counts, and fetched again when its bytes are wrong', async () => {
    const hub = await fakeHub();
    const { m, cache } = manager(hubHttp(hub));
    const sha = q8?.sha256 as string;
    // Another program holds the blob's lock: our download waits for it.
    const py = startPythonWriter(['hold', blobLockPath(cache, FOLDER, sha), '600']);
    await py.waitFor('locked');
    const job = m.add({ repoType: 'model', repo: 'acme/tiny-llm', revision: 'main', files: ['tiny-llm-Q8_0.gguf'] });
    await new Promise<void>((resolve) => {
      const check = () => (m.get(job.id).files[0]?.state === 'waiting' ? resolve() : setTimeout(check, 20));
      check();
    });
    // It "finishes" with bytes of the right length but the wrong content, then lets go.
    const blob = path.join(cache, FOLDER, 'blobs', sha);
    fs.mkdirSync(path.dirname(blob), { recursive: true });
    fs.writeFileSync(blob, Buffer.alloc(q8?.content.size ?? 0, 0x5a));
    py.proc.kill();
    await py.exited;
    await m.whenIdle();
    expect(m.get(job.id).state).toBe('done');
    expect(createHash('sha256').update(fs.readFileSync(blob)).digest('hex')).toBe(sha);
    expect(requestsTo(hub, 'cdn', sha)).toHaveLength(1);
  });
});

describe('checking a big present blob', () => {
  it('reports its progress while it hashes, and remembers the result for the same bytes', async () => {
    const { presentBlobIsRight, forgetHashes, hashStats } = await import('../../src-main/cache/payload-hash');
    forgetHashes();
    const dir = fs.mkdtempSync(path.join((await import('node:os')).tmpdir(), 'hubcap-big-'));
    try {
      const file = path.join(dir, 'blob');
      const data = Buffer.alloc(70 << 20, 3);
      fs.writeFileSync(file, data);
      const sha = createHash('sha256').update(data).digest('hex');
      const seen: [number, number][] = [];
      expect(await presentBlobIsRight(file, sha, { onProgress: (done, total) => seen.push([done, total]) })).toBe(true);
      expect(seen[0]?.[0]).toBeLessThan(data.length);
      expect(seen.at(-1)).toEqual([data.length, data.length]);
      expect(await presentBlobIsRight(file, sha)).toBe(true);
      expect(hashStats).toMatchObject({ hashed: 1, remembered: 1 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
