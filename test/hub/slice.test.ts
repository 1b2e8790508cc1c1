/**
 * The hub slice from fakes of what it declares it needs: one HTTP client carrying the account's
 * token, a status line that names who is signed in, the probe at start only when asked, and model
 * pages that record a listing through the cache (never creating anything itself).
 */
import { describe, expect, it } from 'vitest';
import type { AccountView } from '../../src-main/contract/account';
import { hubSlice, type HubNeeds } from '../../src-main/hub/slice';
import { place, recorded } from '../helpers/fakes';

const anonymous: AccountView = {
  current: null,
  tokens: [],
  keychain: { available: true, reason: null },
  tokenFile: { path: '/x', exists: false, storedTokens: [] },
  envToken: null,
  implicitTokenDisabled: false,
};

function needsFor(opts: { token: string | null; view: AccountView; probe?: boolean; offline?: boolean }) {
  const p = place({ HF_ENDPOINT: 'https://hub.example' });
  const asked: { url: string; auth: string | null }[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    asked.push({ url: String(input), auth: new Headers(init?.headers).get('authorization') });
    return new Response('{}', { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const needs: HubNeeds = {
    options: { fetch: fetchFn, probeHubOnStart: opts.probe },
    hf: p.hf,
    events: p.events,
    settings: { isOffline: () => opts.offline ?? false },
    account: {
      currentToken: () => opts.token,
      identity: () => (opts.view.current ? { source: opts.view.current.source, info: opts.view.current.info } : null),
    },
    cache: {
      recordListing: () => {
        throw new Error('not in this test');
      },
      offlineDetails: () => {
        throw new Error('not in this test');
      },
    },
  };
  return { needs, asked, events: p.events };
}

describe('the hub slice', () => {
  it('names who is signed in on the status line, and sends the account’s token to the Hub', async () => {
    const signedIn: AccountView = { ...anonymous, current: { source: 'keychain', masked: 'hf_…abcd', info: { user: 'ada', role: 'write' } as never } };
    const { needs, asked } = needsFor({ token: 'hf_test_token_123456', view: signedIn, probe: false });
    const hub = hubSlice.create(needs);
    expect(hub.status()).toMatchObject({ endpoint: 'https://hub.example', account: { signedIn: true, name: 'ada', role: 'write' } });
    await hub.http.fetch(hub.http.url('/api/models'), { ctx: {} });
    expect(asked).toEqual([{ url: 'https://hub.example/api/models', auth: 'Bearer hf_test_token_123456' }]);
    // A token without what whoami said: named by where it comes from.
    const bare = needsFor({
      token: 'hf_x_token_123456789',
      view: { ...anonymous, current: { source: 'HF_TOKEN', masked: 'hf_…6789', info: null } },
      probe: false,
    });
    expect(hubSlice.create(bare.needs).status().account).toEqual({ signedIn: true, name: 'token from HF_TOKEN', role: 'unknown' });
  });

  it('probes the Hub at start unless told not to, and tells the bus what it found', async () => {
    const quiet = needsFor({ token: null, view: anonymous, probe: false });
    hubSlice.ready?.(hubSlice.create(quiet.needs), quiet.needs);
    expect(quiet.asked).toEqual([]);
    const probing = needsFor({ token: null, view: anonymous });
    const statuses = recorded(probing.events, 'hub.status');
    const hub = hubSlice.create(probing.needs);
    hubSlice.ready?.(hub, probing.needs);
    await expect.poll(() => statuses.at(-1)?.reachability, { timeout: 10_000 }).toBe('online');
    expect(probing.asked.length).toBeGreaterThan(0);
    expect(hub.status().account).toEqual({ signedIn: false });
  });
});
