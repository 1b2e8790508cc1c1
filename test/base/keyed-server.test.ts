/**
 * The key store every keyed server of this process shares (the Local API, the mirror): made once
 * and kept in the keychain, taken from its environment variable (checked), for this run only
 * without a keychain, rotated by another process and seen here after the re-read delay, never
 * replaced when it comes from the environment; and the words for a port that could not be taken.
 */
import { describe, expect, it } from 'vitest';
import { memoryKeychain } from '../helpers/keychain';
import { unavailableKeychain } from '../../src-main/account/keychain';
import { keptServerKey, listenFailure, maskKey, ServerKeyStore, serverKey, type ServerKeySpec } from '../../src-main/base/keyed-server';

const SPEC: ServerKeySpec<'TEST_KEY'> = { account: 'test-key', envVar: 'TEST_KEY', valid: /^[a-z0-9-]{16,}$|^hc-/, invalidEnv: 'TEST_KEY is unfit.' };

describe('server keys', () => {
  it('makes a key once in the keychain, takes the environment’s when set and fit, and keeps one for this run without a keychain', () => {
    const keychain = memoryKeychain();
    const first = serverKey(SPEC, {}, keychain);
    expect(first).toEqual({ key: keychain.entries.get('test-key'), source: 'keychain' });
    expect(serverKey(SPEC, {}, keychain).key).toBe(first.key);
    expect(serverKey(SPEC, { TEST_KEY: ' from-the-environment-01 ' }, keychain)).toEqual({ key: 'from-the-environment-01', source: 'TEST_KEY' });
    expect(() => serverKey(SPEC, { TEST_KEY: 'NO/GOOD' }, keychain)).toThrow('TEST_KEY is unfit.');
    expect(serverKey(SPEC, {}, unavailableKeychain('none')).source).toBe('session');
    // A kept key the spec refuses is replaced, and never handed out as the kept one.
    keychain.set('test-key', 'BAD');
    expect(keptServerKey(SPEC, keychain)).toBeNull();
    expect(serverKey(SPEC, {}, keychain).key).not.toBe('BAD');
  });

  it('sees a key another process rotated once the re-read delay has passed, and tells its holder', () => {
    const keychain = memoryKeychain();
    let rotated = 0;
    const store = new ServerKeyStore({ spec: SPEC, env: {}, keychain, rereadMs: 0, onRotated: () => rotated++ });
    expect(store.peek()).toBeNull();
    const first = store.current().key;
    keychain.set('test-key', 'hc-rotated-elsewhere-000000');
    expect(store.current().key).toBe('hc-rotated-elsewhere-000000');
    expect(rotated).toBe(1);
    const next = store.regenerate();
    expect([first, 'hc-rotated-elsewhere-000000']).not.toContain(next.key);
    expect(keychain.entries.get('test-key')).toBe(next.key);
    expect(store.peek()).toEqual(next);
  });

  it('refuses to replace a key from the environment, saying which variable to change', () => {
    const store = new ServerKeyStore({ spec: SPEC, env: { TEST_KEY: 'from-the-environment-01' }, keychain: memoryKeychain(), onRotated: () => undefined });
    expect(() => store.regenerate()).toThrow(/comes from TEST_KEY/);
    expect(store.current().key).toBe('from-the-environment-01');
  });

  it('masks a key and says why a port could not be taken', () => {
    expect(maskKey('hc-abcdefghijklmnop')).toBe('hc-ab…mnop');
    const err = (code: string) => Object.assign(new Error(`listen ${code}`), { code });
    expect(listenFailure(err('EADDRINUSE'), { port: 8080 }, 'X')).toBe('Port 8080 is already in use by another program: choose another port.');
    expect(listenFailure(err('EACCES'), { port: 80 }, 'X')).toMatch(/^Port 80 needs administrator rights/);
    expect(listenFailure(err('EADDRNOTAVAIL'), { port: 1, host: '10.9.9.9' }, 'X')).toMatch(/^10\.9\.9\.9 is not an address/);
    expect(listenFailure(err('EOTHER'), { port: 1 }, 'Sharing')).toBe('Sharing could not start: listen EOTHER');
  });
});
