/**
 * Who gets what from the mirror (#28.3): gated and private repos only for a client whose own token
 * the Hub accepts (never on the owner's token), refused when that cannot be asked; the key as the
 * endpoint's first segment, kept in the keychain, replaced at once; the allow-list of networks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { standardRepos, TOKENS } from '../fakehub/fixtures';
import { memoryKeychain } from '../helpers/keychain';
import { unavailableKeychain } from '../../src-main/account/keychain';
import { parseAllowList } from '../../src-main/mirror/allow-list';
import { MirrorAccess, UNREACHABLE_RETRY_MS, VISIBILITY_TTL_MS } from '../../src-main/mirror/access';
import { mirrorKey, regenerateMirrorKey } from '../../src-main/mirror/key';
import { filledCache, KEY, mirrorOver } from './setup';
import { secondMachine, type SecondMachine } from './second-machine';

const ALICE = 'hf_alice_read_token_0000000000000000';
const BOB = 'hf_bob_write_token_00000000000000000';
const CAROL = 'hf_carol_finegrained_000000000000000';
const GATED = 'acme/gated-llm';
const PRIVATE = 'alice/secret-llm';

let hub: FakeHub | null = null;
let machine: SecondMachine | null = null;
afterEach(async () => {
  machine?.close();
  machine = null;
  await hub?.close().catch(() => undefined);
  hub = null;
});

/** The owner is alice: granted the gated repo, owner of the private one. Her token filled the cache. */
async function setup() {
  hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS, gatedAccess: { [GATED]: ['alice'] } });
  const cache = await filledCache(hub, [GATED, PRIVATE], ALICE);
  const m = await mirrorOver(cache, hub.url);
  return { hub, m };
}

const get = (url: string, token?: string, method = 'GET') => fetch(url, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('mirror: access', () => {
  it('serves a gated repo’s files only to a client the Hub accepts, asked with that client’s own token', async () => {
    const { hub: h, m } = await setup();
    const file = `${m.endpoint}/${GATED}/resolve/main/model.gguf`;
    // Listings are public on the Hub for a gated repo; so here.
    const info = await get(`${m.endpoint}/api/models/${GATED}`);
    expect([info.status, ((await info.json()) as { gated: unknown }).gated]).toEqual([200, 'manual']);
    expect(info.headers.get('cache-control')).toBe('private, no-store');
    const from = h.log.length;
    const anonymous = await get(file);
    expect([anonymous.status, anonymous.headers.get('x-error-code')]).toEqual([401, 'GatedRepo']);
    // The owner's token (alice's, which filled the cache and may read the file) was not used for an anonymous client.
    expect(h.log.slice(from).map((r) => r.headers.authorization ?? 'none')).toEqual(['none']);
    expect(((await anonymous.json()) as { error: string }).error).toContain('restricted');
    const notGranted = await get(file, BOB);
    expect([notGranted.status, notGranted.headers.get('x-error-code')]).toEqual([403, 'GatedRepo']);
    const fineGrained = await get(file, CAROL, 'HEAD');
    expect(fineGrained.status).toBe(403);
    const granted = await get(file, ALICE);
    expect([granted.status, granted.headers.get('cache-control')]).toEqual([200, 'private, no-store']);
    expect((await granted.arrayBuffer()).byteLength).toBe(1 << 20);
    // The owner's token never went upstream for a client: only the clients' own, or none.
    const sent = new Set(h.log.slice(from).map((r) => r.headers.authorization ?? 'none'));
    expect([...sent].sort()).toEqual(['Bearer ' + ALICE, 'Bearer ' + BOB, 'Bearer ' + CAROL, 'none'].sort());

    // Uplink cut: a grant the Hub gave is remembered briefly; a token never checked is refused.
    await h.close();
    expect((await get(file, ALICE)).status).toBe(200);
    const unchecked = await get(file, 'hf_someone_else_000000000000000000000');
    expect(unchecked.status).toBe(503);
    expect(((await unchecked.json()) as { error: string }).error).toContain('cannot be reached');
  });

  it('shows a private repo to nobody but a client whose token the Hub accepts for it', async () => {
    const { m } = await setup();
    const anonymous = await get(`${m.endpoint}/api/models/${PRIVATE}`);
    expect([anonymous.status, anonymous.headers.get('x-error-code')]).toEqual([401, 'RepoNotFound']);
    const other = await get(`${m.endpoint}/${PRIVATE}/resolve/main/config.json`, BOB);
    expect([other.status, other.headers.get('x-error-code')]).toEqual([404, 'RepoNotFound']);
    const owner = await get(`${m.endpoint}/${PRIVATE}/resolve/main/config.json`, ALICE);
    expect([owner.status, await owner.text(), owner.headers.get('cache-control')]).toEqual([200, '{}', 'private, no-store']);
    const tree = await get(`${m.endpoint}/api/models/${PRIVATE}/tree/main`, ALICE);
    expect(tree.status).toBe(200);
  });

  it('refuses a repo whose visibility it never learned while the Hub is unreachable', async () => {
    const { hub: h, m } = await setup();
    await h.close();
    const res = await get(`${m.endpoint}/api/models/${GATED}`);
    expect(res.status).toBe(503);
  });

  it('asks the key at each request: a new key retires the old endpoint at once', async () => {
    hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS });
    const cache = await filledCache(hub, ['acme/tiny-llm']);
    let key = KEY;
    const m = await mirrorOver(cache, hub.url, { key: () => key });
    expect((await get(`${m.mirror.url}/${KEY}/api/models/acme/tiny-llm`)).status).toBe(200);
    key = 'a-brand-new-key-000000000000000000';
    expect((await get(`${m.mirror.url}/${KEY}/api/models/acme/tiny-llm`)).status).toBe(404);
    expect((await get(`${m.mirror.url}/${key}/api/models/acme/tiny-llm`)).status).toBe(200);
  });

  it('keeps the key in the keychain, takes HUBCAP_MIRROR_KEY where there is none, and refuses one unfit for a path', () => {
    const keychain = memoryKeychain();
    const first = mirrorKey({}, keychain);
    expect(first.source).toBe('keychain');
    expect(mirrorKey({}, keychain).key).toBe(first.key);
    expect(keychain.entries.get('mirror-key')).toBe(first.key);
    expect(encodeURIComponent(first.key)).toBe(first.key);
    const next = regenerateMirrorKey(keychain);
    expect(next.key).not.toBe(first.key);
    expect(mirrorKey({}, keychain).key).toBe(next.key);
    expect(mirrorKey({ HUBCAP_MIRROR_KEY: 'box-key-from-the-env-0001' }, keychain)).toEqual({ key: 'box-key-from-the-env-0001', source: 'HUBCAP_MIRROR_KEY' });
    expect(() => mirrorKey({ HUBCAP_MIRROR_KEY: 'has/slash-and-more-chars' }, keychain)).toThrow(/HUBCAP_MIRROR_KEY/);
    expect(mirrorKey({}, unavailableKeychain('none here')).source).toBe('session');
  });

  it('asks an unreachable Hub again only after a minute, keeping what it said before', async () => {
    let calls = 0;
    let up = true;
    const fetchStub: typeof fetch = async () => {
      calls += 1;
      if (!up) throw new TypeError('fetch failed');
      return new Response(JSON.stringify({ id: 'acme/x', private: false, gated: false }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const access = new MirrorAccess({ endpoint: 'http://hub.invalid', offline: () => false, fetch: fetchStub });
    const repo = { type: 'model' as const, id: 'acme/x' };
    expect(await access.visibility(repo, 0)).toBe('public');
    up = false;
    const later = VISIBILITY_TTL_MS + 1;
    expect(await access.visibility(repo, later)).toBe('public');
    expect(await access.visibility(repo, later + 1000)).toBe('public');
    expect(calls).toBe(2);
    expect(await access.visibility(repo, later + UNREACHABLE_RETRY_MS + 1)).toBe('public');
    expect(calls).toBe(3);
    expect(await access.visibility({ type: 'model', id: 'acme/never-seen' }, later)).toBeNull();
  });

  it('parses the allow-list of networks; loopback is always this machine', () => {
    const allow = parseAllowList('10.0.0.0/8, 192.168.1.0/24,fd00::/8');
    expect(['10.1.2.3', '::ffff:10.9.9.9', '192.168.1.77', 'fd00::1', '127.0.0.1', '::1'].map(allow)).toEqual([true, true, true, true, true, true]);
    expect(['192.168.2.1', '11.0.0.1', 'fe80::1', undefined].map(allow)).toEqual([false, false, false, false]);
    expect(parseAllowList('')('8.8.8.8')).toBe(true);
    for (const bad of ['10.0.0.0/33', 'box.local', '10.0.0.0/x', '::/129']) expect(() => parseAllowList(bad), bad).toThrow(/--allow/);
  });

  it('answers a machine outside the allow-list as if nothing were there', async () => {
    hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS });
    const cache = await filledCache(hub, ['acme/tiny-llm']);
    machine = secondMachine();
    const inside = `${machine.clientAddress}/32`;
    const outside = machine.namespace ? '10.99.0.0/16' : null;
    for (const spec of [inside, outside]) {
      if (spec === null) continue; // loopback fallback: loopback is always allowed, nothing to refuse
      const m = await mirrorOver(cache, hub.url, { host: machine.hostAddress, allow: parseAllowList(spec) });
      const url = `http://${machine.hostAddress}:${m.mirror.port}/${KEY}/api/models/acme/tiny-llm`;
      const probe =
        'import sys, urllib.request, urllib.error\ntry:\n  print(urllib.request.urlopen(sys.argv[1]).status)\nexcept urllib.error.HTTPError as e:\n  print(e.code)';
      const r = await machine.python(['-c', probe, url], {});
      expect(r.stdout.trim(), `${spec}: ${r.stderr}`).toBe(spec === inside ? '200' : '404');
      await m.mirror.close();
    }
  });
});
