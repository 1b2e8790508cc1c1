/**
 * Other apps' models whose Hub origin is known, compared with that path at the repo's main: one
 * paths-info request per repo, anonymous first, the token only where anonymous is refused; a file
 * whose sha256 differs is "changed", one no longer there "removed", a repo that failed says why.
 */
import { describe, expect, it } from 'vitest';
import type { FoundModel } from '../../src-main/contract/apps';
import { checkFound } from '../../src-main/updates/found';
import { hubAnswering, json } from '../helpers/fakes';

const SHA = (c: string) => c.repeat(64);
const PACE = { concurrency: 2, gapMs: 0, attempts: 1 };

function found(path: string, repo: string | null, file: string | null, sha256: string | null): FoundModel {
  return {
    app: 'lm-studio',
    path,
    name: path,
    format: 'gguf',
    size: 1,
    summary: null,
    problem: null,
    hint: repo ? { repo, file, quant: null, from: 'path' } : null,
    sha256,
    libraryKey: null,
  };
}

/** The Hub's main of each repo: path → sha256; `private` answers anonymous requests 401 RepoNotFound. */
function hubs(repos: Record<string, Record<string, string>>, opts: { private?: string[]; rateLimited?: string[] } = {}) {
  const answer = (signedIn: boolean) => (url: URL, init: RequestInit | undefined) => {
    const repo = /\/api\/models\/(.+)\/paths-info\/main$/.exec(url.pathname)?.[1] ?? '';
    if (opts.rateLimited?.includes(repo)) return json({ error: 'slow down' }, { 'retry-after': '1' }, 429);
    if (!(repo in repos) || (!signedIn && opts.private?.includes(repo)))
      return json({ error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' }, signedIn ? 404 : 401);
    const { paths } = JSON.parse(String(init?.body)) as { paths: string[] };
    const files = repos[repo] ?? {};
    return json(paths.filter((p) => p in files).map((p) => ({ type: 'file', path: p, size: 100, lfs: { oid: files[p], size: 100 } })));
  };
  const anonymous = hubAnswering(answer(false));
  const signedIn = hubAnswering(answer(true), { token: 'hf_test_token_123456' });
  return { hubs: { anonymous: anonymous.http, signedIn: signedIn.http }, anonymous: anonymous.asked, signedIn: signedIn.asked };
}

describe('checkFound', () => {
  it('compares each found file with main, asking once per repo', async () => {
    const h = hubs({ 'org/a': { 'a-Q4.gguf': SHA('1'), 'a-Q8.gguf': SHA('9') } });
    const out = await checkFound(
      h.hubs,
      [
        found('/lm/a-Q4.gguf', 'org/a', 'a-Q4.gguf', SHA('1')),
        found('/lm/a-Q8.gguf', 'org/a', 'a-Q8.gguf', SHA('2')),
        found('/lm/a-old.gguf', 'org/a', 'a-old.gguf', SHA('3')),
      ],
      PACE,
    );
    expect(out.map((f) => [f.path, f.state, f.newSize])).toEqual([
      ['/lm/a-Q4.gguf', 'up-to-date', 100],
      ['/lm/a-Q8.gguf', 'changed', 100],
      ['/lm/a-old.gguf', 'removed', null],
    ]);
    expect(out[1]?.message).toBe('org/a has a different a-Q8.gguf now.');
    expect(h.anonymous).toHaveLength(1);
    expect(h.signedIn).toHaveLength(0);
  });

  it('leaves out what cannot be checked: no hint, no file, no sha256, a bad repo id or path', async () => {
    const h = hubs({ 'org/a': {} });
    const out = await checkFound(
      h.hubs,
      [
        found('/x1', null, null, SHA('1')),
        found('/x2', 'org/a', null, SHA('1')),
        found('/x3', 'org/a', 'f.gguf', null),
        found('/x4', 'org/../a', 'f.gguf', SHA('1')),
        found('/x5', 'org/a', '../f.gguf', SHA('1')),
      ],
      PACE,
    );
    expect(out).toEqual([]);
    expect(h.anonymous).toEqual([]);
  });

  it('asks with the token only when anonymous is refused, and a repo that failed says why', async () => {
    const h = hubs({ 'org/private': { 'p.gguf': SHA('5') }, 'org/busy': {} }, { private: ['org/private'], rateLimited: ['org/busy'] });
    const out = await checkFound(
      h.hubs,
      [found('/p', 'org/private', 'p.gguf', SHA('5')), found('/b', 'org/busy', 'b.gguf', SHA('1')), found('/g', 'org/gone', 'g.gguf', SHA('1'))],
      PACE,
    );
    expect(out.map((f) => [f.repo, f.state])).toEqual([
      ['org/private', 'up-to-date'],
      ['org/busy', 'rate-limited'],
      ['org/gone', 'gone'],
    ]);
    expect(h.signedIn.map((u) => u.pathname)).toEqual(['/api/models/org/private/paths-info/main', '/api/models/org/gone/paths-info/main']);
  });
});
