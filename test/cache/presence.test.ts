import { describe, expect, it } from 'vitest';
import { cachedModelDetails, presence } from '../../src-main/cache/presence';
import { scanCache } from '../../src-main/cache/scan';
import { A, B, pythonCache, writePythonRevision } from '../helpers/python-cache';
import { tmpDir } from '../helpers/tmp';

describe('what the cache holds of a repo', () => {
  it('lists each complete blob once, with every snapshot file that uses it', () => {
    const p = presence(scanCache(pythonCache()), 'model:org/llm');
    expect(p.inCache).toBe(true);
    expect(p.blobs).toHaveLength(3);
    const config = p.blobs.find((b) => b.uses.some((u) => u.path === 'config.json'));
    expect(config?.uses.map((u) => u.commit).sort()).toEqual([A, B].sort());
    expect(presence(scanCache(pythonCache()), 'model:org/none')).toEqual({ repo: 'model:org/none', inCache: false, blobs: [] });
  });

  it('trusts no blob name for copies (a symlink-less cache): nothing is claimed without hashing', () => {
    const cache = tmpDir();
    writePythonRevision(cache, 'models--org--copy', A, [{ path: 'm.gguf', data: 'x', lfs: true }], { refs: ['main'], symlinks: false });
    expect(presence(scanCache(cache), 'model:org/copy').blobs).toEqual([]);
  });
});

describe('a model page from the cache alone', () => {
  it('shows a cached revision by ref or commit, with its refs, file groups and the cached card', () => {
    const cache = pythonCache();
    writePythonRevision(cache, 'models--org--llm', A, [{ path: 'README.md', data: '---\nlicense: mit\n---\n# org/llm\n\nHello.\n' }]);
    const details = cachedModelDetails(scanCache(cache), { type: 'model', id: 'org/llm' }, 'v1', 'https://hub.test');
    expect(details).toMatchObject({ id: 'org/llm', sha: A, source: 'cache', branches: ['main', 'refs/pr/1', 'v1'], url: 'https://hub.test/org/llm' });
    expect(details.card).toMatch(/^# org\/llm/);
    expect(details.card).not.toMatch(/license: mit/);
    expect(details.groups.flatMap((g) => g.files.map((f) => f.path)).sort()).toEqual(['README.md', 'config.json', 'w/model.gguf']);
    const byCommit = cachedModelDetails(scanCache(cache), { type: 'model', id: 'org/llm' }, B.slice(0, 10), 'https://hub.test');
    expect(byCommit.sha).toBe(B);
    expect(byCommit.card).toBeNull();
    expect(byCommit.cardNote).toMatch(/not in the cache/);
  });

  it('says what is cached when the repo or revision is not', () => {
    const scan = scanCache(pythonCache());
    expect(() => cachedModelDetails(scan, { type: 'model', id: 'org/none' }, 'main', 'https://hub.test')).toThrow(/org\/none is not in the cache/);
    expect(() => cachedModelDetails(scan, { type: 'model', id: 'org/llm' }, 'v2', 'https://hub.test')).toThrow(
      /revision "v2" of org\/llm is not in the cache \(cached: main, refs\/pr\/1, v1\)/,
    );
  });
});
