/**
 * The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) through
 * @napi-rs/keyring. Where none is reachable (a headless Linux box without a Secret Service),
 * `available` is false with the reason, and callers keep tokens in memory for the session only:
 * never in a plaintext file.
 */
import type * as KeyringModule from '@napi-rs/keyring';
import { lazyPackage } from '../base/lazy-package';

type Keyring = typeof KeyringModule;
const keyring = lazyPackage<Keyring>('@napi-rs/keyring');

/**
 * The native module is loaded at the first real use, and the keychain probed then: a command given
 * HF_TOKEN, or one that never looks a token up (`hubcap --version`, a cache listing), loads neither (#25).
 */
function entry(service: string, account: string): InstanceType<Keyring['Entry']> {
  return new (keyring().Entry)(service, account, SECRET_SERVICE_ONLY);
}

/**
 * On Linux, the Secret Service only. Without this the binding falls back, silently, to the kernel
 * keyring: kept in memory until reboot, and readable by every process of the user's session (the
 * test suite's servers found each other's tokens there). With no Secret Service, tokens are kept
 * for the session, as the Account page says. Ignored on other platforms.
 */
const SECRET_SERVICE_ONLY = { linux: { store: 'secret-service' as const } };

export interface Keychain {
  readonly available: boolean;
  readonly reason: string | null;
  get(account: string): string | null;
  set(account: string, secret: string): void;
  delete(account: string): void;
}

export const KEYCHAIN_SERVICE = 'Hubcap';

export function osKeychain(service = KEYCHAIN_SERVICE): Keychain {
  let probed: { available: boolean; reason: string | null } | null = null;
  const probe = () => (probed ??= probeKeychain(service));
  return {
    get available() {
      return probe().available;
    },
    get reason() {
      return probe().reason;
    },
    get: (account) => {
      try {
        return entry(service, account).getPassword() ?? null;
      } catch {
        return null;
      }
    },
    set: (account, secret) => entry(service, account).setPassword(secret),
    delete: (account) => {
      try {
        entry(service, account).deletePassword();
      } catch {
        // already gone
      }
    },
  };
}

function probeKeychain(service: string): { available: boolean; reason: string | null } {
  try {
    // A write/read/delete round trip: some Secret Services answer reads but refuse writes.
    const probe = entry(service, 'hubcap-probe');
    probe.setPassword('probe');
    const available = probe.getPassword() === 'probe';
    probe.deletePassword();
    return { available, reason: available ? null : 'the keychain did not return what was stored' };
  } catch (error) {
    return { available: false, reason: unavailableReason((error as Error).message) };
  }
}

/**
 * The reason the Account page shows. On Linux with no Secret Service the binding's message is a
 * D-Bus error about X11 autolaunch and DBUS_SESSION_BUS_ADDRESS: said in plain words instead.
 */
function unavailableReason(message: string): string {
  return process.platform === 'linux' && /d-?bus/i.test(message) ? 'no Secret Service, such as GNOME Keyring or KWallet, is running' : message;
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
