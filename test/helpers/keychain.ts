import type { Keychain } from '../../src-main/account/keychain';

/** An in-memory keychain, so unit tests never touch the developer's real one. */
export function memoryKeychain(): Keychain & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    available: true,
    reason: null,
    entries,
    get: (a) => entries.get(a) ?? null,
    set: (a, s) => void entries.set(a, s),
    delete: (a) => void entries.delete(a),
  };
}
