/**
 * Checking one repo's followed refs: up to date, moved (with how many commits), force-pushed
 * (diverged), deleted; tags and pull requests are not followed; a private repo is asked with the
 * token only after the anonymous request is refused, and remembered as needing it.
 */
import { describe, expect, it } from 'vitest';
import { checkRepo, stateOfError } from '../../src-main/updates/check';
import { HubError } from '../../src-main/hub/errors';
import { hubAnswering, json } from '../helpers/fakes';

const REPO = { type: 'model' as const, id: 'org/m' };
const c = (n: number) => n.toString(16).padStart(40, '0');

/** A repo whose `main` went 1 → 4 (history 4,3,2,1), `dev` was force-pushed to 9 (history 9,8), with a tag v1. */
function hubs(opts: { private?: boolean; brokenHistory?: boolean } = {}) {
  const answer = (signedIn: boolean) => (url: URL) => {
    if (opts.private && !signedIn) return json({}, { 'x-error-code': 'RepoNotFound' }, 401);
    if (url.pathname.endsWith('/refs'))
      return json({
        branches: [
          { name: 'main', targetCommit: c(4) },
          { name: 'dev', targetCommit: c(9) },
          { name: 'same', targetCommit: c(5) },
        ],
        tags: [{ name: 'v1', targetCommit: c(1) }],
      });
    if (opts.brokenHistory) return json({}, {}, 500);
    const head = url.pathname.split('/').pop();
    const history = head === c(4) ? [4, 3, 2, 1] : [9, 8];
    return json(history.map((n) => ({ id: c(n), title: `t${n}` })));
  };
  const anonymous = hubAnswering(answer(false));
  const signedIn = hubAnswering(answer(true), { token: 'hf_test_token_123456' });
  return { hubs: { anonymous: anonymous.http, signedIn: signedIn.http }, anonymous: anonymous.asked, signedIn: signedIn.asked };
}

describe('checkRepo', () => {
  it('says per followed branch what changed, main first; tags and pull requests are not followed', async () => {
    const h = hubs();
    const r = await checkRepo(h.hubs, REPO, { same: c(5), dev: c(7), main: c(1), gone: c(6), v1: c(1), 'refs/pr/3': c(2) }, false);
    expect(r.branches.map((b) => [b.branch, b.state, b.headCommit, b.message])).toEqual([
      ['main', 'available', c(4), '3 new commits.'],
      ['dev', 'diverged', c(9), expect.stringMatching(/^dev was force-pushed/)],
      ['gone', 'branch-gone', null, 'The branch gone no longer exists on the Hub. Your copy is kept.'],
      ['same', 'up-to-date', c(5), null],
    ]);
    expect(r.notFollowed).toEqual(['refs/pr/3 is a pull request', 'v1 is a tag']);
    expect(r.needsToken).toBe(false);
    expect(h.signedIn).toEqual([]);
  });

  it('asks a private repo with the token after the anonymous refusal, and goes straight to it next time', async () => {
    const first = hubs({ private: true });
    const r = await checkRepo(first.hubs, REPO, { main: c(4) }, false);
    expect(r).toMatchObject({ needsToken: true, branches: [{ branch: 'main', state: 'up-to-date' }] });
    expect(first.anonymous).toHaveLength(1);
    const again = hubs({ private: true });
    await checkRepo(again.hubs, REPO, { main: c(4) }, true);
    expect(again.anonymous).toEqual([]);
  });

  it('a moved branch whose history cannot be read is still "available", said so', async () => {
    const r = await checkRepo(hubs({ brokenHistory: true }).hubs, REPO, { main: c(1) }, false);
    expect(r.branches[0]).toMatchObject({ state: 'available', message: expect.stringMatching(/^The branch moved; its history could not be read/) });
  });
});

describe('stateOfError', () => {
  it('names a gone, gated or rate-limited repo; anything else is an error with its message', () => {
    expect(stateOfError(new HubError('REPO_NOT_FOUND', 'x')).state).toBe('gone');
    expect(stateOfError(new HubError('GATED', 'Request access.'))).toEqual({ state: 'gated', message: expect.stringContaining('Request access.') });
    expect(stateOfError(new HubError('RATE_LIMITED', 'x')).state).toBe('rate-limited');
    expect(stateOfError(new Error('boom'))).toEqual({ state: 'error', message: 'boom' });
    expect(stateOfError('odd')).toEqual({ state: 'error', message: 'odd' });
  });
});
