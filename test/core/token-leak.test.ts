/**
 * The token across the whole core: signing in, a gated download, a cache scan and settings, every
 * event and log line, every file written and every request to the CDN. A composition test (many
 * capabilities at once), so it builds the whole Core; the account itself is tested in test/account/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/rpc/dispatch';
import { testCore } from '../helpers/core';
import { memoryKeychain } from '../helpers/keychain';
import { fakeHub } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';
import { TOKENS } from '../fakehub/fixtures';
import { filesUnder } from '../helpers/files';

const [ALICE] = Object.keys(TOKENS) as [string];

async function coreOn() {
  const hub = await fakeHub();
  const home = tmpDir();
  const core = testCore({ env: { HF_ENDPOINT: hub.url, HF_HOME: path.join(home, 'hf') }, homeDir: home, keychain: memoryKeychain(), fetch: globalThis.fetch });
  return { hub, core, home };
}

describe('token leakage', () => {
  it('never puts the token in a file, a log, a renderer message or a CDN request', async () => {
    const { core, hub, home } = await coreOn();
    const messages: string[] = [];
    core.events.on((name, payload) => messages.push(JSON.stringify([name, payload])));
    const logs: string[] = [];
    const orig = { log: console.log, warn: console.warn, error: console.error };
    for (const k of ['log', 'warn', 'error'] as const) console[k] = (...a: unknown[]) => void logs.push(a.map(String).join(' '));
    try {
      const call = async (method: string, input: unknown) => messages.push(JSON.stringify(await dispatch(core.handlers, method, input)));
      await call('account.login', { token: ALICE });
      await call('account.login', { token: 'hf_bad_token_0000000000' });
      await call('account.get', {});
      await call('hub.status', {});
      hub.grantAccess('acme/gated-llm', 'alice');
      await call('downloads.start', { repo: 'acme/gated-llm' });
      await core.downloads.whenIdle();
      await call('downloads.list', {});
      await call('cache.scan', { fresh: true });
      await call('settings.get', {});
      await core.close();
    } finally {
      Object.assign(console, orig);
    }
    expect(core.downloads.list()[0]?.state).toBe('done');
    const everything = [...messages, ...logs].join('\n');
    expect(everything).not.toContain(ALICE);
    expect(everything).not.toContain(ALICE.slice(3, 20));
    for (const f of filesUnder(home)) expect(fs.readFileSync(f).includes(ALICE)).toBe(false);
    const cdn = hub.log.filter((r) => r.origin === 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => !JSON.stringify(r.headers).includes(ALICE))).toBe(true);
    expect(hub.log.every((r) => !r.url.includes(ALICE))).toBe(true);
    // The Hub's own origin did get it: that is where it belongs.
    expect(hub.log.some((r) => r.origin === 'api' && r.headers.authorization === `Bearer ${ALICE}`)).toBe(true);
  });
});
