/** What updates read of a repo's history: its branches and tags, and the commits between two of them, bounded and checked. */
import { describe, expect, it } from 'vitest';
import { commitsSince, listRefs } from '../../src-main/updates/hub-refs';
import { hubAnswering, json } from '../helpers/fakes';

const REPO = { type: 'model' as const, id: 'org/m' };
const c = (n: number) => n.toString(16).padStart(40, '0');
const commit = (n: number, extra: Record<string, unknown> = {}) => ({
  id: c(n),
  title: `commit ${n}`,
  date: '2026-01-02T03:04:05Z',
  authors: [{ user: 'ada' }],
  ...extra,
});

describe('listRefs', () => {
  it('reads branches with their heads and tag names', async () => {
    const { http, asked } = hubAnswering(() =>
      json({ branches: [{ name: 'main', targetCommit: c(1), ref: 'refs/heads/main' }], tags: [{ name: 'v1', targetCommit: c(2) }], converts: [] }),
    );
    const refs = await listRefs(http, REPO);
    expect(refs.branches).toEqual(new Map([['main', c(1)]]));
    expect(refs.tags).toEqual(new Set(['v1']));
    expect(asked.map((u) => u.pathname)).toEqual(['/api/models/org/m/refs']);
    expect((await listRefs(hubAnswering(() => json({})).http, REPO)).branches.size).toBe(0);
  });

  it('refuses refs that are not a bounded list of names and commit ids', async () => {
    for (const [body, message] of [
      [null, /not an object/],
      [{ branches: 'main' }, /not a bounded list/],
      [{ branches: [{ name: 'main', targetCommit: 'HEAD' }] }, /without a valid name and commit/],
      [{ tags: [{ name: '', targetCommit: c(1) }] }, /without a valid name and commit/],
      [{ branches: Array.from({ length: 10_001 }, (_, i) => ({ name: `b${i}`, targetCommit: c(i) })) }, /not a bounded list/],
    ] as const)
      await expect(listRefs(hubAnswering(() => json(body)).http, REPO), JSON.stringify(body).slice(0, 60)).rejects.toMatchObject({
        code: 'SERVER_ERROR',
        message,
      });
  });
});

describe('commitsSince', () => {
  /** A history of `n` commits, newest first, `per` to a page, linked by Link headers. */
  const history = (n: number, per: number) =>
    hubAnswering((url) => {
      const page = Number(url.searchParams.get('p') ?? 0);
      const all = Array.from({ length: n }, (_, i) => commit(n - i));
      const next: Record<string, string> =
        (page + 1) * per < n ? { link: `<https://hub.example/api/models/org/m/commits/main?p=${page + 1}>; rel="next"` } : {};
      return json(all.slice(page * per, (page + 1) * per), next);
    });

  it('lists the commits newer than the base, across pages, and says the base was found', async () => {
    const { http, asked } = history(10, 3);
    const r = await commitsSince(http, REPO, 'main', c(4));
    expect(r.found).toBe(true);
    expect(r.complete).toBe(true);
    expect(r.commits.map((x) => x.id)).toEqual([c(10), c(9), c(8), c(7), c(6), c(5)]);
    expect(r.commits[0]).toEqual({ id: c(10), title: 'commit 10', date: '2026-01-02T03:04:05.000Z', authors: ['ada'] });
    expect(asked).toHaveLength(3); // the base is on the third page; nothing after it is read
  });

  it('says when the base is not in the whole history, and when it stopped reading before the end', async () => {
    expect(await commitsSince(history(5, 2).http, REPO, 'main', c(99))).toMatchObject({ found: false, complete: true });
    const far = await commitsSince(history(100, 10).http, REPO, 'main', c(1), 3);
    expect(far).toMatchObject({ found: false, complete: false });
    expect(far.commits).toHaveLength(30);
  });

  it('keeps what a commit says within bounds, and refuses a commit without an id', async () => {
    const odd = commit(3, {
      title: 't'.repeat(1000),
      date: 'yesterday',
      authors: [{ user: 'u'.repeat(500) }, { name: 'no user' }, ...Array(30).fill({ user: 'x' })],
    });
    const r = await commitsSince(hubAnswering(() => json([odd])).http, REPO, 'main', c(1));
    expect(r.commits[0]?.title).toHaveLength(300);
    expect(r.commits[0]?.date).toBe('');
    expect(r.commits[0]?.authors[0]).toHaveLength(100);
    expect(r.commits[0]?.authors.length).toBeLessThanOrEqual(20);
    await expect(commitsSince(hubAnswering(() => json([{ title: 'x' }])).http, REPO, 'main', c(1))).rejects.toThrow(/commit without a valid id/);
    await expect(commitsSince(hubAnswering(() => json({})).http, REPO, 'main', c(1))).rejects.toThrow(/not a bounded list/);
  });
});
