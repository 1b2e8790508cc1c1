/**
 * The mirror key: the first path segment of the endpoint given to others
 * (`HF_ENDPOINT=http://box:8686/<key>`), so every Hub client carries it without knowing, and their
 * `Authorization` stays free for their own Hub token. Kept like the Local API's key, by the same
 * code (base/keyed-server.ts: same format, same masking, the OS keychain): `HUBCAP_MIRROR_KEY`
 * where there is no keychain, else one kept in the keychain, else one for this run only.
 */
import { maskKey, regenerateServerKey, serverKey, type KeyKeeper, type ServerKey, type ServerKeySpec } from '../base/keyed-server';

export const MIRROR_KEY: ServerKeySpec<'HUBCAP_MIRROR_KEY'> = {
  account: 'mirror-key',
  envVar: 'HUBCAP_MIRROR_KEY',
  // A key must be a plain path segment: no escaping, no separators.
  valid: /^[A-Za-z0-9._~-]{16,200}$/,
  invalidEnv: 'HUBCAP_MIRROR_KEY must be 16-200 letters, digits, ".", "_", "~" or "-".',
};

export type MirrorKey = ServerKey<'HUBCAP_MIRROR_KEY'>;

export { maskKey };

export function mirrorKey(env: Readonly<Record<string, string | undefined>>, keychain: KeyKeeper): MirrorKey {
  return serverKey(MIRROR_KEY, env, keychain);
}

/** A new key (the old endpoint stops working at once). */
export function regenerateMirrorKey(keychain: KeyKeeper): MirrorKey {
  return regenerateServerKey(MIRROR_KEY, keychain);
}
