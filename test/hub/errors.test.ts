/** Hub answers become errors named after what the user can do; the CDN is never blamed on a token; Retry-After read in both forms. */
import { describe, expect, it } from 'vitest';
import { downloadHostError, HubError, hubErrorFrom, networkError, retryAfterSeconds } from '../../src-main/hub/errors';

const h = (o: Record<string, string> = {}) => new Headers(o);
const ctx = { repo: 'org/m', revision: 'main', path: 'a.gguf', repoUrl: 'https://hf.co/org/m', signedIn: false };

describe('hubErrorFrom', () => {
  it('reads the Hub’s X-Error-Code first, and what is said depends on whether a token was sent', () => {
    const gatedAnon = hubErrorFrom(403, h({ 'x-error-code': 'GatedRepo' }), ctx);
    expect(gatedAnon).toMatchObject({
      code: 'GATED',
      message: expect.stringMatching(/sign in with a Hub token/),
      details: { repoUrl: 'https://hf.co/org/m', status: 403 },
    });
    expect(hubErrorFrom(403, h({ 'x-error-code': 'GatedRepo' }), { ...ctx, signedIn: true }).message).toMatch(/no access yet/);
    expect(hubErrorFrom(401, h({ 'x-error-code': 'GatedRepo' }), { ...ctx, signedIn: true }).message).toMatch(/sign in/);
    expect(hubErrorFrom(404, h({ 'x-error-code': 'RepoNotFound' }), ctx).message).toBe('org/m does not exist, or it is private: sign in if it is yours.');
    expect(hubErrorFrom(404, h({ 'x-error-code': 'RepoNotFound' }), { ...ctx, signedIn: true }).message).toMatch(/this token cannot see it/);
    expect(hubErrorFrom(404, h({ 'x-error-code': 'RevisionNotFound' }), ctx)).toMatchObject({
      code: 'REVISION_NOT_FOUND',
      message: 'Revision "main" does not exist in org/m.',
    });
    const entry = hubErrorFrom(404, h({ 'x-error-code': 'EntryNotFound', 'x-repo-commit': 'c'.repeat(40) }), ctx);
    expect(entry).toMatchObject({ code: 'ENTRY_NOT_FOUND', message: 'a.gguf does not exist in org/m at main.', details: { commit: 'c'.repeat(40) } });
  });

  it('maps statuses without a code, keeping the server’s message and request id', () => {
    const anon401 = hubErrorFrom(401, h({ 'x-request-id': 'r-1' }), ctx);
    expect(anon401).toMatchObject({ code: 'UNAUTHORIZED', message: 'The Hub needs you to sign in for org/m.', details: { requestId: 'r-1' } });
    expect(hubErrorFrom(401, h({ 'x-error-message': 'Invalid credentials in Authorization header' }), ctx).message).toMatch(/rejected the token/);
    expect(hubErrorFrom(403, h({ 'x-error-message': 'Repo disabled' }), ctx).message).toBe('org/m has been disabled on the Hub.');
    // Only a request that carried a token can be refused for the token's permissions.
    expect(hubErrorFrom(403, h(), ctx).message).not.toMatch(/token/);
    expect(hubErrorFrom(403, h(), { ...ctx, signedIn: true }).message).toMatch(/token may lack/);
    expect(hubErrorFrom(404, h(), ctx)).toMatchObject({ code: 'NOT_FOUND', message: 'Not found on the Hub: a.gguf.' });
    const limited = hubErrorFrom(429, h({ 'retry-after': '12' }), ctx);
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('retry in 12 s'), details: { retryAfterSeconds: 12 } });
    expect(limited.transient).toBe(true);
    const s503 = hubErrorFrom(503, h(), ctx, 'maintenance');
    expect(s503).toMatchObject({ code: 'SERVER_ERROR', details: { status: 503, serverMessage: 'maintenance' } });
    expect(hubErrorFrom(418, h(), { signedIn: false }, 'teapot').message).toBe('The Hub answered HTTP 418: teapot.');
    expect(hubErrorFrom(400, h(), { signedIn: false }).message).toBe('The Hub answered HTTP 400.');
  });

  it('marks what is worth retrying by itself, and a permanent answer never is', () => {
    expect(new HubError('NETWORK', 'x').transient).toBe(true);
    expect(new HubError('SERVER_ERROR', 'x', { permanent: true }).transient).toBe(false);
    expect(new HubError('GATED', 'x').transient).toBe(false);
  });
});

describe('retryAfterSeconds', () => {
  it('reads seconds, an HTTP date, or the RateLimit header’s t=; nothing otherwise', () => {
    expect(retryAfterSeconds(h({ 'retry-after': '3' }))).toBe(3);
    expect(retryAfterSeconds(h({ 'retry-after': '-5' }))).toBe(0);
    const inAMinute = new Date(Date.now() + 60_000).toUTCString();
    expect(retryAfterSeconds(h({ 'retry-after': inAMinute }))).toBeGreaterThan(55);
    expect(retryAfterSeconds(h({ 'retry-after': 'Mon, 01 Jan 2001 00:00:00 GMT' }))).toBe(0);
    expect(retryAfterSeconds(h({ ratelimit: '"api";r=0;t=42' }))).toBe(42);
    expect(retryAfterSeconds(h({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterSeconds(h())).toBeUndefined();
  });
});

describe('downloadHostError', () => {
  it('never blames the token for the CDN, names the host, and keeps its Retry-After', () => {
    const e = downloadHostError(403, h({ 'x-amz-cf-id': 'cf-1' }), 'cdn.example', { repo: 'org/m', path: 'a.gguf' });
    expect(e).toMatchObject({
      code: 'FORBIDDEN',
      message: 'The download host (cdn.example) refused the signed link (HTTP 403): it may have expired.',
      details: { host: 'cdn.example', requestId: 'cf-1' },
    });
    expect(e.message).not.toMatch(/token/);
    expect(downloadHostError(404, h(), 'cdn.example', { path: 'a.gguf' }).message).toBe('The download host (cdn.example) does not have a.gguf (HTTP 404).');
    expect(downloadHostError(429, h({ 'retry-after': '2' }), 'cdn.example', {})).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 2 } });
    expect(downloadHostError(502, h(), 'cdn.example', {})).toMatchObject({
      code: 'SERVER_ERROR',
      message: 'The download host (cdn.example) answered HTTP 502.',
    });
  });
});

describe('networkError', () => {
  it('names the host and the system’s reason, never the whole URL', () => {
    const e = networkError(Object.assign(new Error('fetch failed'), { cause: { code: 'ECONNREFUSED' } }), 'https://hub.example/api/x?token=secret');
    expect(e).toMatchObject({ code: 'NETWORK', message: 'Could not reach hub.example (ECONNREFUSED).', details: { host: 'hub.example' } });
    expect(networkError(new Error('boom'), 'not a url').message).toBe('Could not reach not a url (boom).');
  });
});
