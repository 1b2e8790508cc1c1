/**
 * Hub tokens: checked with whoami-v2 before anything is stored, kept in the OS keychain (one entry
 * per named token plus an index naming the active one), or in memory for the session when there is
 * no keychain. Never written to a file, a log, the settings or a message to the renderer: the
 * renderer sees `hf_…wxyz`, the name and what the Hub says about the token.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AccountIdentity, AccountView, TokenInfo, TokenRole } from '../contract/account';
import { ApiError } from '../contract/errors';
import { HubError } from '../hub/errors';
import { HubHttp } from '../hub/http';
import type { HfEnv } from '../hub/hf-env';
import type { Keychain } from './keychain';
import { readUntrustedSync } from '../base/untrusted-file';

type StoredInfo = Omit<TokenInfo, 'masked' | 'storage' | 'active'>;

interface Index {
  active: string | null;
  tokens: { name: string; info: StoredInfo }[];
}

const INDEX = 'index';
const account = (name: string) => `token:${name}`;

export function maskToken(token: string): string {
  return `${token.slice(0, 3)}…${token.slice(-4)}`;
}

/** A pasted token: trimmed; must look like one before any request is made with it. */
export function checkTokenFormat(raw: string): string {
  const token = raw.trim();
  if (token.startsWith('api_org')) throw new ApiError('VALIDATION_FAILED', 'Organization API tokens are not supported; use a user access token (hf_…).');
  if (!/^hf_[A-Za-z0-9_-]{8,250}$/.test(token)) {
    throw new ApiError('VALIDATION_FAILED', 'That does not look like a Hugging Face access token: they start with hf_ and have no spaces.');
  }
  return token;
}

function cleanName(name: string): string {
  return (
    name
      .replace(/[^\w .@-]/g, '')
      .trim()
      .slice(0, 64) || 'token'
  );
}

export interface AccountOptions {
  keychain: Keychain;
  /** Where the token file is, HF_TOKEN, and whether implicit tokens are disabled (as Python reads them). */
  hf: Pick<HfEnv, 'token' | 'tokenPath' | 'disableImplicitToken'>;
  endpoint: string;
  offline: () => boolean;
  fetch?: typeof fetch;
  onChange: (view: AccountView) => void;
}

export class AccountService {
  readonly #o: AccountOptions;
  /** Session-only tokens when there is no keychain. */
  readonly #session = new Map<string, string>();
  #sessionIndex: Index = { active: null, tokens: [] };

  constructor(opts: AccountOptions) {
    this.#o = opts;
  }

  #index(): Index {
    return this.#o.keychain.available ? this.#keychainIndex() : this.#sessionIndex;
  }

  /** The index kept in the keychain, read without probing it. */
  #keychainIndex(): Index {
    try {
      const raw = this.#o.keychain.get(INDEX);
      if (raw) return JSON.parse(raw) as Index;
    } catch {
      // an unreadable index starts over; the token entries stay in the keychain
    }
    return { active: null, tokens: [] };
  }

  #saveIndex(index: Index): void {
    if (this.#o.keychain.available) this.#o.keychain.set(INDEX, JSON.stringify(index));
    else this.#sessionIndex = index;
  }

  #secret(name: string): string | null {
    return this.#o.keychain.available ? this.#o.keychain.get(account(name)) : (this.#session.get(name) ?? null);
  }

  #envToken(): { name: 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN'; token: string } | null {
    const t = this.#o.hf.token;
    return t ? { name: t.name, token: t.value } : null;
  }

  #fileToken(): string | null {
    try {
      // HF_HOME may be shared or synced: a FIFO there must not block the core (a link, as dotfile managers make, is fine).
      return (
        readUntrustedSync(this.#o.hf.tokenPath, 64 << 10, ANY_LINK)
          .toString('utf8')
          .replace(/\s+/g, '') || null
      );
    } catch {
      return null;
    }
  }

  /** The token every Hub request uses: HF_TOKEN (as in Python), then the active stored token, then the token file. */
  currentToken(): string | null {
    return this.#current()?.token ?? null;
  }

  /**
   * Where the current token comes from and whom whoami named, for the Hub's status line: read as
   * the token is, without probing the keychain. The status is rebuilt whenever the Hub's
   * reachability changes, which every command's first Hub answer does; view() probes.
   */
  identity(): AccountIdentity | null {
    const current = this.#current();
    if (!current) return null;
    const { info } = current;
    return { source: current.source, info: info ? { user: info.user, role: info.role } : null };
  }

  /** The current token, where it comes from, and what whoami said of it when it was stored (from the index already read). */
  #current(): { token: string; source: NonNullable<AccountView['current']>['source']; name: string | null; info: StoredInfo | null } | null {
    if (this.#o.hf.disableImplicitToken) return null;
    const env = this.#envToken();
    if (env) return { token: env.token, source: env.name, name: null, info: null };
    const stored = this.#storedActive();
    if (stored) return stored;
    const file = this.#fileToken();
    return file ? { token: file, source: 'token-file', name: null, info: null } : null;
  }

  /**
   * The active stored token, read without probing the keychain: the probe writes, reads and deletes
   * an entry, and every command and Hub request looks the token up; a lookup must not write to the
   * user's keyring (Secret Service rewrites its file on disk, and a locked one may ask to unlock).
   * Session-only tokens exist only where the probe found no keychain when they were stored.
   */
  #storedActive(): { token: string; source: 'keychain' | 'session'; name: string; info: StoredInfo | null } | null {
    const infoIn = (index: Index, name: string) => index.tokens.find((t) => t.name === name)?.info ?? null;
    const session = this.#sessionIndex.active;
    if (session) {
      const token = this.#session.get(session);
      return token ? { token, source: 'session', name: session, info: infoIn(this.#sessionIndex, session) } : null;
    }
    const index = this.#keychainIndex();
    const { active } = index;
    const token = active ? this.#o.keychain.get(account(active)) : null;
    return token && active ? { token, source: 'keychain', name: active, info: infoIn(index, active) } : null;
  }

  view(): AccountView {
    const index = this.#index();
    const storage = this.#o.keychain.available ? 'keychain' : 'session';
    const tokens: TokenInfo[] = index.tokens.map((t) => {
      const secret = this.#secret(t.name);
      return { ...t.info, name: t.name, masked: secret ? maskToken(secret) : 'missing', storage, active: index.active === t.name };
    });
    const current = this.#current();
    const env = this.#envToken();
    const file = this.#o.hf.tokenPath;
    return {
      current: current ? { source: current.source, masked: maskToken(current.token), info: tokens.find((t) => t.name === current.name) ?? null } : null,
      tokens,
      keychain: { available: this.#o.keychain.available, reason: this.#o.keychain.reason },
      tokenFile: { path: file, exists: fs.existsSync(file), storedTokens: storedTokenNames(path.join(path.dirname(file), 'stored_tokens')) },
      envToken: env ? { name: env.name, masked: maskToken(env.token) } : null,
      implicitTokenDisabled: this.#o.hf.disableImplicitToken,
    };
  }

  /** Asks the Hub who this token belongs to; nothing is stored by this call. */
  async whoami(token: string): Promise<StoredInfo & { displayName: string | null }> {
    if (this.#o.offline()) throw new HubError('OFFLINE', 'Offline mode is on: the token cannot be checked with the Hub now.');
    const hub = new HubHttp({ endpoint: this.#o.endpoint, token: () => token, offline: this.#o.offline, ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}) });
    try {
      // Loaded when a token is checked, not when the core starts (#25).
      const { whoAmI } = await import('@huggingface/hub');
      const who = (await whoAmI({ accessToken: token, hubUrl: hub.endpoint, fetch: hub.libraryFetch })) as unknown as WhoAmI;
      const at = who.auth?.accessToken;
      const fine = at?.fineGrained;
      const role: TokenRole = at?.role === 'read' || at?.role === 'write' || at?.role === 'fineGrained' ? at.role : 'unknown';
      return {
        name: cleanName(at?.displayName ?? who.name),
        displayName: at?.displayName ?? null,
        user: who.name,
        fullname: who.fullname ?? null,
        role,
        orgs: (who.orgs ?? []).map((o) => o.name),
        scopes: fine ? [...(fine.global ?? []), ...(fine.scoped ?? []).flatMap((s) => s.permissions.map((p) => `${s.entity.name}: ${p}`))] : [],
        canReadGatedRepos: fine ? Boolean(fine.canReadGatedRepos) : null,
      };
    } catch (error) {
      if (error instanceof HubError && (error.code === 'UNAUTHORIZED' || error.details.status === 401)) {
        throw new HubError('UNAUTHORIZED', 'The Hub rejected this token: it is invalid, expired or revoked. Nothing was saved.');
      }
      throw error;
    }
  }

  /** Checks the token with the Hub, then stores it (keychain, or session-only) and makes it active. */
  async login(raw: string, wantedName?: string): Promise<AccountView> {
    const token = checkTokenFormat(raw);
    const info = await this.whoami(token);
    const index = this.#index();
    const existing = index.tokens.find((t) => this.#secret(t.name) === token);
    let name = existing?.name ?? cleanName(wantedName || info.displayName || info.user);
    if (!existing) {
      const taken = new Set(index.tokens.map((t) => t.name));
      for (let i = 2; taken.has(name); i++) name = `${cleanName(wantedName || info.displayName || info.user)} (${i})`;
    }
    const { displayName: _d, ...stored } = info;
    if (this.#o.keychain.available) this.#o.keychain.set(account(name), token);
    else this.#session.set(name, token);
    index.tokens = [...index.tokens.filter((t) => t.name !== name), { name, info: { ...stored, name } }];
    index.active = name;
    this.#saveIndex(index);
    return this.#changed();
  }

  switchTo(name: string): AccountView {
    const index = this.#index();
    if (!index.tokens.some((t) => t.name === name)) throw new ApiError('NOT_FOUND', `No stored token is called ${name}.`);
    index.active = name;
    this.#saveIndex(index);
    return this.#changed();
  }

  rename(from: string, to: string): AccountView {
    const index = this.#index();
    const entry = index.tokens.find((t) => t.name === from);
    if (!entry) throw new ApiError('NOT_FOUND', `No stored token is called ${from}.`);
    const next = cleanName(to);
    if (next !== from && index.tokens.some((t) => t.name === next)) throw new ApiError('CONFLICT', `A token is already called ${next}.`);
    const secret = this.#secret(from);
    if (secret === null) throw new ApiError('NOT_FOUND', `The keychain no longer holds ${from}.`);
    if (this.#o.keychain.available) {
      this.#o.keychain.set(account(next), secret);
      if (next !== from) this.#o.keychain.delete(account(from));
    } else {
      this.#session.delete(from);
      this.#session.set(next, secret);
    }
    entry.name = next;
    entry.info.name = next;
    if (index.active === from) index.active = next;
    this.#saveIndex(index);
    return this.#changed();
  }

  /** Removes a token from the keychain (or the session). */
  logout(name: string): AccountView {
    const index = this.#index();
    if (!index.tokens.some((t) => t.name === name)) throw new ApiError('NOT_FOUND', `No stored token is called ${name}.`);
    if (this.#o.keychain.available) this.#o.keychain.delete(account(name));
    else this.#session.delete(name);
    index.tokens = index.tokens.filter((t) => t.name !== name);
    if (index.active === name) index.active = null;
    this.#saveIndex(index);
    return this.#changed();
  }

  /** "Move into keychain": the token file's token, checked and stored like a pasted one. */
  async importTokenFile(): Promise<AccountView> {
    if (!this.#o.keychain.available) throw new ApiError('NOT_AVAILABLE', 'There is no keychain to move the token into on this machine.');
    const token = this.#fileToken();
    if (!token) throw new ApiError('NOT_FOUND', 'There is no token file to import.');
    return this.login(token);
  }

  /** Deletes the plaintext token files (token and stored_tokens); the UI asks first. */
  deleteTokenFile(): AccountView {
    const file = this.#o.hf.tokenPath;
    fs.rmSync(file, { force: true });
    fs.rmSync(path.join(path.dirname(file), 'stored_tokens'), { force: true });
    return this.#changed();
  }

  #changed(): AccountView {
    const view = this.view();
    this.#o.onChange(view);
    return view;
  }
}

interface WhoAmI {
  name: string;
  fullname?: string;
  orgs?: { name: string }[];
  auth?: {
    accessToken?: {
      displayName?: string;
      role?: string;
      fineGrained?: { canReadGatedRepos?: boolean; global?: string[]; scoped?: { entity: { name: string }; permissions: string[] }[] };
    };
  };
}

/** The user's own token files may be links anywhere; what they lead to must be a regular file. */
const ANY_LINK = { root: '/', followLinks: true };

/** Section names of Python's stored_tokens INI file (never the values). */
function storedTokenNames(file: string): string[] {
  try {
    return [
      ...readUntrustedSync(file, 1 << 20, ANY_LINK)
        .toString('utf8')
        .matchAll(/^\[([^\]]+)\]\s*$/gm),
    ].map((m) => m[1] as string);
  } catch {
    return [];
  }
}
