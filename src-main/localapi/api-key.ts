/**
 * The local API's key. Every client (Open WebUI, Continue, the openai SDKs) sends *some* key, so one
 * is always required: `HUBCAP_API_KEY` when set (pods and containers, where there is no keychain),
 * else one generated once and kept in the OS keychain like Hub tokens, else one for this run only.
 */
import { randomBytes } from 'node:crypto';
import type { Keychain } from '../account/keychain';

const ACCOUNT = 'local-api-key';

export interface ApiKey {
  key: string;
  source: 'HUBCAP_API_KEY' | 'keychain' | 'session';
}

export function newApiKey(): string {
  return `hc-${randomBytes(24).toString('base64url')}`;
}

export function apiKey(env: Readonly<Record<string, string | undefined>>, keychain: Keychain): ApiKey {
  const fromEnv = env.HUBCAP_API_KEY?.trim();
  if (fromEnv) return { key: fromEnv, source: 'HUBCAP_API_KEY' };
  if (keychain.available) {
    const kept = keychain.get(ACCOUNT);
    if (kept) return { key: kept, source: 'keychain' };
    const key = newApiKey();
    keychain.set(ACCOUNT, key);
    return { key, source: 'keychain' };
  }
  return { key: newApiKey(), source: 'session' };
}

/** The key kept in the keychain now (another Hubcap process may have rotated it), or null. */
export function keptApiKey(keychain: Keychain): string | null {
  return keychain.available ? keychain.get(ACCOUNT) : null;
}

/** A new key (the old one stops working at once). */
export function regenerateApiKey(keychain: Keychain): ApiKey {
  const key = newApiKey();
  if (keychain.available) keychain.set(ACCOUNT, key);
  return { key, source: keychain.available ? 'keychain' : 'session' };
}

/** How a key is printed unless asked for in full: enough to tell two apart, not enough to use. */
export function maskKey(key: string): string {
  return key.length > 10 ? `${key.slice(0, 5)}…${key.slice(-4)}` : '…';
}
