/** A revision's listing: every page followed through Link, each entry checked before it becomes a path or a size; a listing that lies is an error. */
import { describe, expect, it } from 'vitest';
import { HubHttp } from '../../src-main/hub/http';
import { blobIdOf, listTree } from '../../src-main/hub/tree';

const ENDPOINT = 'https://hub.example';
const REPO = { type: 'model' as const, id: 'org/m' };
const SHA1 = '1'.repeat(40);
const SHA256 = 'A'.repeat(64);

/** A Hub whose tree pages are `pages`, each pointing to the next by a Link header. */
function hubWithPages(pages: unknown[][]) {
  const asked: string[] = [];
  const fetchFn = (async (input: RequestInfo | URL) => {
    const url = String(input);
    asked.push(url);
    const n = Number(new URL(url).searchParams.get('page') ?? 0);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (n + 1 < pages.length) headers.link = `<${ENDPOINT}/api/models/org/m/tree/main?recursive=true&page=${n + 1}>; rel="next"`;
    return new Response(JSON.stringify(pages[n]), { headers });
  }) as typeof fetch;
  return { hub: new HubHttp({ endpoint: ENDPOINT, token: () => null, offline: () => false, fetch: fetchFn }), asked };
}

describe('listTree', () => {
  it('follows every page, skips folders, lowercases ids, takes the LFS size and keeps a valid Xet hash', async () => {
    const { hub, asked } = hubWithPages([
      [
        { type: 'directory', path: 'sub', oid: SHA1, size: 0 },
        { type: 'file', path: 'config.json', oid: SHA1, size: 20 },
      ],
      [{ type: 'file', path: 'sub/model.gguf', oid: '2'.repeat(40), size: 134, lfs: { oid: SHA256, size: 5000, pointerSize: 134 }, xetHash: 'e'.repeat(64) }],
      [{ type: 'file', path: 'odd.bin', oid: '3'.repeat(40), size: 1, xetHash: 'not-a-hash' }],
    ]);
    const files = await listTree(hub, REPO, 'main');
    expect(files).toEqual([
      { path: 'config.json', size: 20, oid: SHA1, lfs: null, xetHash: null },
      { path: 'sub/model.gguf', size: 5000, oid: '2'.repeat(40), lfs: { oid: SHA256.toLowerCase(), size: 5000 }, xetHash: 'e'.repeat(64) },
      { path: 'odd.bin', size: 1, oid: '3'.repeat(40), lfs: null, xetHash: null },
    ]);
    expect(asked).toHaveLength(3);
    expect(asked[0]).toBe(`${ENDPOINT}/api/models/org/m/tree/main?recursive=true&expand=false`);
    expect(files.map(blobIdOf)).toEqual([SHA1, SHA256.toLowerCase(), '3'.repeat(40)]);
  });

  it('refuses a listing that lies: not a list, an entry without a path, a bad id or size, a bad LFS id', async () => {
    const cases: [unknown[] | unknown, RegExp][] = [
      [{ files: [] }, /is not a list/],
      [[42], /not an object/],
      [[{ type: 'file', oid: SHA1, size: 1 }], /without a valid type and path/],
      [[{ type: 'symlink', path: 'x', oid: SHA1, size: 1 }], /without a valid type and path/],
      [[{ type: 'file', path: 'x', oid: 'zz', size: 1 }], /"x" an invalid id or size/],
      [[{ type: 'file', path: 'x', oid: SHA1, size: -1 }], /invalid id or size/],
      [[{ type: 'file', path: 'x', oid: SHA1, size: 2 ** 41 }], /invalid id or size/],
      [[{ type: 'file', path: 'x', oid: SHA1, size: 1, lfs: { oid: 'short', size: 1 } }], /invalid LFS id or size/],
    ];
    for (const [page, message] of cases) {
      const { hub } = hubWithPages([page as unknown[]]);
      await expect(listTree(hub, REPO, 'main'), JSON.stringify(page)).rejects.toMatchObject({ code: 'SERVER_ERROR', message });
    }
  });

  it('does not follow a next page on another host', async () => {
    const fetchFn = (async () =>
      new Response('[]', { headers: { link: '<https://evil.example/api/models/org/m/tree/main?page=2>; rel="next"' } })) as unknown as typeof fetch;
    const hub = new HubHttp({ endpoint: ENDPOINT, token: () => null, offline: () => false, fetch: fetchFn });
    await expect(listTree(hub, REPO, 'main')).rejects.toThrow(/another host \(evil\.example\)/);
  });
});
