/**
 * The mirror key: the first path segment of the endpoint given to others
 * (`HF_ENDPOINT=http://box:8686/<key>`), so every Hub client carries it without knowing, and their
 * `Authorization` stays free for their own Hub token. Kept like the Local API's key (same format,
 * same masking, the OS keychain): `HUBCAP_MIRROR_KEY` where there is no keychain, else one kept in
 * the keychain, else one for this run only.
 */
import type { Keychain } from '../account/keychain';
import { ApiError } from '../contract/errors';
import { maskKey, newApiKey } from '../localapi/api-key';

const ACCOUNT = 'mirror-key';
/** A key must be a plain path segment: no escaping, no separators. */
const KEY_RE = /^[A-Za-z0-9._~-]{16,200}$/;

export interface MirrorKey {
  key: string;
  source: 'HUBCAP_MIRROR_KEY' | 'keychain' | 'session';
}

export { maskKey };

export function mirrorKey(env: Readonly<Record<string, string | undefined>>, keychain: Keychain): MirrorKey {
  const fromEnv = env.HUBCAP_MIRROR_KEY?.trim();
  if (fromEnv) {
    if (!KEY_RE.test(fromEnv)) throw new ApiError('VALIDATION_FAILED', 'HUBCAP_MIRROR_KEY must be 16-200 letters, digits, ".", "_", "~" or "-".');
    return { key: fromEnv, source: 'HUBCAP_MIRROR_KEY' };
  }
  if (keychain.available) {
    const kept = keychain.get(ACCOUNT);
    if (kept && KEY_RE.test(kept)) return { key: kept, source: 'keychain' };
    const key = newApiKey();
    keychain.set(ACCOUNT, key);
    return { key, source: 'keychain' };
  }
  return { key: newApiKey(), source: 'session' };
}

/** The key kept in the keychain now (another Hubcap process may have rotated it), or null. */
export function keptMirrorKey(keychain: Keychain): string | null {
  const kept = keychain.available ? keychain.get(ACCOUNT) : null;
  return kept && KEY_RE.test(kept) ? kept : null;
}

/** A new key (the old endpoint stops working at once). */
export function regenerateMirrorKey(keychain: Keychain): MirrorKey {
  const key = newApiKey();
  if (keychain.available) keychain.set(ACCOUNT, key);
  return { key, source: keychain.available ? 'keychain' : 'session' };
}
