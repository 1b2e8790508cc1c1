/**
 * What every keyed server of this process shares (the Local API, the LAN mirror): the key its
 * clients must send and the words for a port it could not take. A key comes from an environment
 * variable where there is no keychain (pods, containers), else one made once and kept in the OS
 * keychain, else one for this run only. The holder of a key is asked at every request, so "New
 * key" retires the old one at once; a key kept in the keychain is read again at most once a
 * second, so one rotated by another Hubcap process is retired here within a second too.
 *
 * The keychain comes in as this narrow shape (account/keychain.ts's Keychain fits it): base sits
 * below account.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from '../contract/errors';

export interface KeyKeeper {
  readonly available: boolean;
  get(account: string): string | null;
  set(account: string, secret: string): void;
}

/** A server's key and where it comes from (`E`: the name of its environment variable). */
export interface ServerKey<E extends string> {
  key: string;
  source: E | 'keychain' | 'session';
}

/** Which key: its keychain account, its environment variable, and what a key must look like. */
export interface ServerKeySpec<E extends string> {
  account: string;
  envVar: E;
  /** A key the server can take; one kept in the keychain that fails it is replaced. Any when absent. */
  valid?: RegExp;
  /** Said when the environment variable fails `valid`. */
  invalidEnv?: string;
}

export function newServerKey(): string {
  return `hc-${randomBytes(24).toString('base64url')}`;
}

/** How a key is printed unless asked for in full: enough to tell two apart, not enough to use. */
export function maskKey(key: string): string {
  return key.length > 10 ? `${key.slice(0, 5)}…${key.slice(-4)}` : '…';
}

function fits<E extends string>(spec: ServerKeySpec<E>, key: string | null | undefined): key is string {
  return !!key && (!spec.valid || spec.valid.test(key));
}

/** The key now: the environment's, else the keychain's (made there the first time), else one for this run. */
export function serverKey<E extends string>(spec: ServerKeySpec<E>, env: Readonly<Record<string, string | undefined>>, keychain: KeyKeeper): ServerKey<E> {
  const fromEnv = env[spec.envVar]?.trim();
  if (fromEnv) {
    if (!fits(spec, fromEnv)) throw new ApiError('VALIDATION_FAILED', spec.invalidEnv ?? `${spec.envVar} is not a key this server can take.`);
    return { key: fromEnv, source: spec.envVar };
  }
  if (keychain.available) {
    const kept = keychain.get(spec.account);
    if (fits(spec, kept)) return { key: kept, source: 'keychain' };
    const key = newServerKey();
    keychain.set(spec.account, key);
    return { key, source: 'keychain' };
  }
  return { key: newServerKey(), source: 'session' };
}

/** The key kept in the keychain now (another Hubcap process may have rotated it), or null. */
export function keptServerKey<E extends string>(spec: ServerKeySpec<E>, keychain: KeyKeeper): string | null {
  const kept = keychain.available ? keychain.get(spec.account) : null;
  return fits(spec, kept) ? kept : null;
}

/** A new key (the old one stops working at once). */
export function regenerateServerKey<E extends string>(spec: ServerKeySpec<E>, keychain: KeyKeeper): ServerKey<E> {
  const key = newServerKey();
  if (keychain.available) keychain.set(spec.account, key);
  return { key, source: keychain.available ? 'keychain' : 'session' };
}

export interface ServerKeyStoreOptions<E extends string> {
  spec: ServerKeySpec<E>;
  env: Readonly<Record<string, string | undefined>>;
  keychain: KeyKeeper;
  /** How old the key read from the keychain may be before it is read again (default 1 s). */
  rereadMs?: number | undefined;
  /** The key changed under us (another process rotated it): the holder tells its views. */
  onRotated: () => void;
}

const REREAD_MS = 1000;

/** The one holder of a server's key in this process, asked at every request. */
export class ServerKeyStore<E extends string> {
  readonly #o: ServerKeyStoreOptions<E>;
  #key: ServerKey<E> | null = null;
  #readAt = 0;

  constructor(opts: ServerKeyStoreOptions<E>) {
    this.#o = opts;
  }

  /** The key if one was made yet (a view must not make one: that writes to the keychain). */
  peek(): ServerKey<E> | null {
    return this.#key;
  }

  /** The key, made (and kept in the keychain) the first time a server or a person needs it. */
  current(): ServerKey<E> {
    const now = Date.now();
    if (!this.#key) {
      this.#key = serverKey(this.#o.spec, this.#o.env, this.#o.keychain);
      this.#readAt = now;
    } else if (this.#key.source === 'keychain' && now - this.#readAt >= (this.#o.rereadMs ?? REREAD_MS)) {
      this.#readAt = now;
      const kept = keptServerKey(this.#o.spec, this.#o.keychain);
      if (kept && kept !== this.#key.key) {
        this.#key = { key: kept, source: 'keychain' };
        this.#o.onRotated();
      }
    }
    return this.#key;
  }

  /**
   * A new key for every server of this process at once (through the keychain, of the others within
   * a second). A key from the environment cannot be replaced: the error says so.
   */
  regenerate(): ServerKey<E> {
    const { envVar } = this.#o.spec;
    if (this.current().source === envVar) {
      throw new ApiError('NOT_AVAILABLE', `The key comes from ${envVar}, so Hubcap cannot replace it: change that variable and restart to use another key.`);
    }
    this.#key = regenerateServerKey(this.#o.spec, this.#o.keychain);
    this.#readAt = Date.now();
    return this.#key;
  }
}

/**
 * What a person is told when a server could not listen: a port taken or privileged, an address
 * this machine no longer has, or the error itself after `what could not start`.
 */
export function listenFailure(error: unknown, where: { port: number; host?: string }, what: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `Port ${where.port} is already in use by another program: choose another port.`;
  if (code === 'EACCES') return `Port ${where.port} needs administrator rights here: choose one above 1024.`;
  if (code === 'EADDRNOTAVAIL' && where.host) return `${where.host} is not an address of this machine now: choose another interface.`;
  return `${what} could not start: ${(error as Error).message}`;
}
