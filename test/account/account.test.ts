import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTokenFormat, maskToken } from '../../src-main/account/account';
import { unavailableKeychain } from '../../src-main/account/keychain';
import { accountSlice } from '../../src-main/account/slice';
import { hubSlice } from '../../src-main/hub/slice';
import { memoryKeychain } from '../helpers/keychain';
import { fakeHub } from '../helpers/hub';
import { place } from '../helpers/fakes';
import { tmpDir } from '../helpers/tmp';
import { TOKENS } from '../fakehub/fixtures';
import { filesUnder } from '../helpers/files';

const [ALICE, BOB] = Object.keys(TOKENS) as [string, string];

const unused = () => {
  throw new Error('not in these tests');
};

/** The account slice from fakes of its needs, with the hub slice beside it (the status bar's line names who is signed in). */
async function coreOn(env: Record<string, string> = {}, keychain = memoryKeychain()) {
  const fake = await fakeHub();
  const home = tmpDir();
  const p = place({ HF_ENDPOINT: fake.url, HF_HOME: path.join(home, 'hf'), ...env }, home);
  const settings = { isOffline: () => false };
  const options = { fetch: globalThis.fetch, probeHubOnStart: false };
  const hub = hubSlice.create({
    options,
    hf: p.hf,
    events: p.events,
    settings,
    account: { currentToken: () => account.currentToken(), identity: () => account.identity() },
    cache: { recordListing: unused, offlineDetails: unused },
  });
  const account = accountSlice.create({ options, hf: p.hf, events: p.events, keychain, settings, hub });
  return { core: { account, hub }, keychain, home };
}

describe('token format', () => {
  it('accepts hf_ tokens and refuses anything else before any request', () => {
    expect(checkTokenFormat(`  ${ALICE}\n`)).toBe(ALICE);
    expect(() => checkTokenFormat('api_org_xyz')).toThrow(/Organization API tokens/);
    for (const bad of ['hello', 'hf_', 'hf_short', 'hf_has space in it', 'Bearer hf_abcdefghijkl'])
      expect(() => checkTokenFormat(bad)).toThrow(/start with hf_/);
    expect(maskToken('hf_abcdefghijklmnopqrstuvwxyz')).toBe('hf_…wxyz');
  });
});

describe('login', () => {
  it('checks the token with whoami-v2, then stores it in the keychain and shows only a masked form', async () => {
    const { core, keychain } = await coreOn();
    const view = await core.account.login(ALICE);
    expect(view.current).toMatchObject({ source: 'keychain', masked: maskToken(ALICE), info: { user: 'alice', role: 'read', name: 'laptop' } });
    expect(keychain.entries.get('token:laptop')).toBe(ALICE);
    expect(JSON.stringify(view)).not.toContain(ALICE);
    expect(core.account.currentToken()).toBe(ALICE);
    expect(core.hub.status().account).toEqual({ signedIn: true, name: 'alice', role: 'read' });
  });

  it('shows what a fine-grained token may do', async () => {
    const { core } = await coreOn();
    const view = await core.account.login(Object.keys(TOKENS)[2] as string);
    expect(view.current?.info).toMatchObject({ role: 'fineGrained', scopes: ['discussion.write', 'carol: repo.content.read'], canReadGatedRepos: false });
  });

  it('stores nothing for a rejected token and says why', async () => {
    const { core, keychain } = await coreOn();
    await expect(core.account.login('hf_revoked_token_123456789')).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: /invalid, expired or revoked/ });
    expect(keychain.entries.size).toBe(0);
    expect(core.account.view().current).toBeNull();
  });

  it('switches, renames and logs out named tokens', async () => {
    const { core, keychain } = await coreOn();
    await core.account.login(ALICE);
    await core.account.login(BOB, 'work');
    expect(core.account.view().tokens.map((t) => [t.name, t.active, t.role])).toEqual([
      ['laptop', false, 'read'],
      ['work', true, 'write'],
    ]);
    core.account.switchTo('laptop');
    expect(core.account.currentToken()).toBe(ALICE);
    core.account.rename('laptop', 'home');
    expect(keychain.entries.has('token:laptop')).toBe(false);
    expect(keychain.entries.get('token:home')).toBe(ALICE);
    expect(core.account.view().current?.info?.name).toBe('home');
    core.account.logout('home');
    expect(keychain.entries.has('token:home')).toBe(false);
    expect(core.account.currentToken()).toBeNull();
    expect(() => core.account.switchTo('nope')).toThrow(/No stored token/);
  });
});

describe('where the token comes from', () => {
  it('HF_TOKEN wins, then the active keychain token, then the token file; HF_HUB_DISABLE_IMPLICIT_TOKEN means none', async () => {
    const { core, home } = await coreOn();
    const file = path.join(home, 'hf', 'token');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, BOB);
    expect(core.account.view().current).toMatchObject({ source: 'token-file' });
    await core.account.login(ALICE);
    expect(core.account.view().current?.source).toBe('keychain');
    const withEnv = (await coreOn({ HF_TOKEN: BOB })).core;
    await withEnv.account.login(ALICE);
    expect(withEnv.account.view().current).toMatchObject({ source: 'HF_TOKEN', masked: maskToken(BOB) });
    expect(withEnv.account.view().envToken).toEqual({ name: 'HF_TOKEN', masked: maskToken(BOB) });
    const disabled = (await coreOn({ HF_TOKEN: BOB, HF_HUB_DISABLE_IMPLICIT_TOKEN: '1' })).core;
    expect(disabled.account.currentToken()).toBeNull();
  });

  it('looks the token and the status line’s name up without probing or writing the keychain: every command and request does it', async () => {
    const first = await coreOn();
    await first.core.account.login(ALICE);
    // The next process, over the same keychain: the probe is a write/read/delete round trip.
    let probes = 0;
    const writes: string[] = [];
    const spy = (get: (a: string) => string | null) => ({
      get available() {
        probes++;
        return true;
      },
      reason: null,
      get,
      set: (a: string) => void writes.push(a),
      delete: (a: string) => void writes.push(a),
    });
    const next = (await coreOn({}, spy((a) => first.keychain.get(a)) as never)).core;
    expect(next.account.currentToken()).toBe(ALICE);
    const anonymous = (await coreOn({}, spy(() => null) as never)).core;
    expect(anonymous.account.currentToken()).toBeNull();
    // The status line is rebuilt whenever the Hub's reachability changes: every command's first answer.
    expect(next.hub.status().account).toEqual({ signedIn: true, name: 'alice', role: 'read' });
    expect(anonymous.hub.status().account).toEqual({ signedIn: false });
    expect({ probes, writes }).toEqual({ probes: 0, writes: [] });
    // The Account page still asks whether tokens can be stored.
    expect(next.account.view().current).toMatchObject({ source: 'keychain', masked: maskToken(ALICE) });
    expect(probes).toBeGreaterThan(0);
  });

  it('moves a plaintext token file into the keychain, then deletes the files when asked', async () => {
    const { core, home, keychain } = await coreOn();
    const dir = path.join(home, 'hf');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'token'), ALICE);
    fs.writeFileSync(path.join(dir, 'stored_tokens'), `[laptop]\nhf_token = ${ALICE}\n`);
    expect(core.account.view().tokenFile).toMatchObject({ exists: true, storedTokens: ['laptop'] });
    expect(JSON.stringify(core.account.view())).not.toContain(ALICE);
    await core.account.importTokenFile();
    expect(keychain.entries.get('token:laptop')).toBe(ALICE);
    core.account.deleteTokenFile();
    expect(fs.existsSync(path.join(dir, 'token'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'stored_tokens'))).toBe(false);
    expect(core.account.view().current?.source).toBe('keychain');
  });

  it('without a keychain keeps tokens in memory for the session, never on disk', async () => {
    const { core, home } = await coreOn({}, unavailableKeychain('no Secret Service') as never);
    const view = await core.account.login(ALICE);
    expect(view.keychain).toEqual({ available: false, reason: 'no Secret Service' });
    expect(view.current?.source).toBe('session');
    expect(view.tokens[0]?.storage).toBe('session');
    await expect(core.account.importTokenFile()).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
    for (const f of filesUnder(home)) expect(fs.readFileSync(f, 'utf8')).not.toContain(ALICE);
  });
});
