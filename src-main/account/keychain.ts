/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through
 * @napi-rs/keyring. Where none is reachable (a headless Linux box without a Secret Service),
 * `available` is false with the reason, and callers keep tokens in memory for the session only:
 * never in a plaintext file.
 */
import { Entry } from '@napi-rs/keyring';

export interface Keychain {
  readonly available: boolean;
  readonly reason: string | null;
  get(account: string): string | null;
  set(account: string, secret: string): void;
  delete(account: string): void;
}

export const KEYCHAIN_SERVICE = 'Hubcap';

export function osKeychain(service = KEYCHAIN_SERVICE): Keychain {
  let available = false;
  let reason: string | null = null;
  try {
    // A write/read/delete round trip: some Secret Services answer reads but refuse writes.
    const probe = new Entry(service, 'hubcap-probe');
    probe.setPassword('probe');
    available = probe.getPassword() === 'probe';
    probe.deletePassword();
    if (!available) reason = 'the keychain did not return what was stored';
  } catch (error) {
    reason = (error as Error).message;
  }
  return {
    available,
    reason,
    get: (account) => {
      try {
        return new Entry(service, account).getPassword() ?? null;
      } catch {
        return null;
      }
    },
    set: (account, secret) => new Entry(service, account).setPassword(secret),
    delete: (account) => {
      try {
        new Entry(service, account).deletePassword();
      } catch {
        // already gone
      }
    },
  };
}

/** No keychain: the stand-in used for session-only tokens (and in tests of that path). */
export function unavailableKeychain(reason: string): Keychain {
  return {
    available: false,
    reason,
    get: () => null,
    set: () => {
      throw new Error('no keychain');
    },
    delete: () => {},
  };
}
