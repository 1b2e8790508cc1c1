/**
 * What the token may publish, read from whoami-v2 before any byte is sent, and why it cannot
 * publish somewhere, in words: anonymous, a read token, a fine-grained token without the scope, a
 * namespace that is not the user's (a pull request instead where the token may open one).
 */
import { describe, expect, it } from 'vitest';
import { HubHttp } from '../../src-main/hub/http';
import { accessProblem, readAccess, type TokenScopes } from '../../src-main/publish/access';

const ENDPOINT = 'https://hub.example';

/** A Hub client whose whoami-v2 answers `body` (or `status`); the token is whatever it is given. */
function hubAnswering(body: unknown, opts: { token?: string | null; status?: number } = {}) {
  const asked: { url: string; auth: string | null }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    asked.push({ url: String(input), auth: new Headers(init?.headers).get('authorization') });
    return new Response(JSON.stringify(body), { status: opts.status ?? 200, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const token = opts.token === undefined ? 'hf_test_token_123456' : opts.token;
  return { hub: new HubHttp({ endpoint: ENDPOINT, token: () => token, offline: () => false, fetch: fetchFn }), asked };
}

const WRITE = {
  name: 'ada',
  orgs: [
    { name: 'lab', roleInOrg: 'write' },
    { name: 'club', roleInOrg: 'read' },
  ],
  auth: { accessToken: { role: 'write' } },
};
const FINE = {
  name: 'ada',
  orgs: [{ name: 'lab' }],
  auth: {
    accessToken: {
      role: 'fineGrained',
      fineGrained: {
        global: ['discussion.write'],
        scoped: [
          { entity: { type: 'user', name: 'ada' }, permissions: ['repo.content.read'] },
          { entity: { type: 'org', name: 'lab' }, permissions: ['repo.write'] },
          { entity: { type: 'model', name: 'other/one-repo' }, permissions: ['repo.write'] },
        ],
      },
    },
  },
};

describe('readAccess', () => {
  it('reads a write token: the user and the orgs it may write to (not those where the member only reads)', async () => {
    const { hub, asked } = hubAnswering(WRITE);
    const s = await readAccess(hub, 'keychain');
    expect(s.access).toEqual({
      signedIn: true,
      user: 'ada',
      role: 'write',
      source: 'keychain',
      namespaces: [
        { name: 'ada', kind: 'user', canWrite: true },
        { name: 'lab', kind: 'org', canWrite: true },
        { name: 'club', kind: 'org', canWrite: false },
      ],
      canOpenPullRequests: true,
    });
    expect(asked).toEqual([{ url: `${ENDPOINT}/api/whoami-v2`, auth: 'Bearer hf_test_token_123456' }]);
  });

  it('reads a fine-grained token by its scopes: namespaces with repo.write, single repos, pull requests by discussion.write', async () => {
    const s = await readAccess(hubAnswering(FINE).hub, 'HF_TOKEN');
    expect(s.access.namespaces).toEqual([
      { name: 'ada', kind: 'user', canWrite: false },
      { name: 'lab', kind: 'org', canWrite: true },
    ]);
    expect(s.writableRepos).toEqual(['other/one-repo']);
    expect(s.access.canOpenPullRequests).toBe(true);
  });

  it('asks nothing without a token, and a rejected token is signed in with an unknown role', async () => {
    const none = hubAnswering(WRITE, { token: null });
    expect((await readAccess(none.hub, null)).access).toMatchObject({ signedIn: false, namespaces: [] });
    expect(none.asked).toEqual([]);
    const rejected = await readAccess(hubAnswering({ error: 'Invalid credentials' }, { status: 401 }).hub, 'keychain');
    expect(rejected.access).toMatchObject({ signedIn: true, user: null, role: 'unknown' });
  });

  it('keeps only well-formed names from a hostile answer', async () => {
    const s = await readAccess(
      hubAnswering({ name: 'x'.repeat(500), orgs: [{ name: 7 }, null, { name: 'ok' }], auth: { accessToken: { role: 'admin' } } }).hub,
      'keychain',
    );
    expect(s.access).toMatchObject({ user: null, role: 'unknown', namespaces: [{ name: 'ok', kind: 'org', canWrite: false }] });
  });
});

describe('accessProblem', () => {
  const opts = { createPr: false, repoExists: false, endpoint: ENDPOINT };
  const scopes = async (body: unknown) => readAccess(hubAnswering(body).hub, 'keychain');

  it('is none where the token may write, and says why not everywhere else', async () => {
    const write = await scopes(WRITE);
    expect(accessProblem(write, 'ada/new', opts)).toBeNull();
    expect(accessProblem(write, 'lab/new', opts)).toBeNull();
    expect(accessProblem(write, 'club/new', opts)).toMatchObject({
      reason: 'not-your-namespace',
      message: 'You can only create repos under ada, lab; "club" is not one of them.',
    });
    expect(accessProblem(write, 'club/exists', { ...opts, repoExists: true })?.message).toMatch(/choose "Open as a pull request"/);
    expect(accessProblem(write, 'club/exists', { ...opts, repoExists: true, createPr: true })).toBeNull();
    expect(accessProblem(write, 'x/y', opts)?.createTokenUrl).toBe(`${ENDPOINT}/settings/tokens/new?tokenType=write`);
  });

  it('names a read token (and HF_TOKEN when it comes from there), an anonymous user, a rejected token', async () => {
    const read: TokenScopes = await readAccess(hubAnswering({ name: 'ada', auth: { accessToken: { role: 'read' } } }).hub, 'HF_TOKEN');
    expect(accessProblem(read, 'ada/m', opts)).toMatchObject({ reason: 'read-token', message: expect.stringContaining('(from HF_TOKEN) is a read token') });
    const anon = await readAccess(hubAnswering({}, { token: null }).hub, null);
    expect(accessProblem(anon, 'ada/m', opts)?.reason).toBe('anonymous');
    const rejected = await readAccess(hubAnswering({}, { status: 401 }).hub, 'keychain');
    expect(accessProblem(rejected, 'ada/m', opts)?.reason).toBe('invalid-token');
  });

  it('for a fine-grained token: its scoped namespace and single repo pass, its own namespace without the scope does not', async () => {
    const fine = await scopes(FINE);
    expect(accessProblem(fine, 'lab/m', opts)).toBeNull();
    expect(accessProblem(fine, 'other/one-repo', { ...opts, repoExists: true })).toBeNull();
    expect(accessProblem(fine, 'ada/m', opts)).toMatchObject({ reason: 'no-write-scope', message: expect.stringContaining('Give it "repo.write" for ada') });
    expect(accessProblem(fine, 'other/two', { ...opts, repoExists: true })?.message).toMatch(/choose "Open as a pull request", or publish under lab/);
  });
});
