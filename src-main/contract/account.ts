/** What the renderer may know about tokens (never a token itself, only its masked form and the Hub's view of it), and the account requests. */
import { z } from 'zod';
import { Empty, event, request } from './request';

export type TokenRole = 'read' | 'write' | 'fineGrained' | 'unknown';

export interface TokenInfo {
  name: string;
  /** hf_…wxyz */
  masked: string;
  user: string;
  fullname: string | null;
  role: TokenRole;
  orgs: string[];
  /** Fine-grained tokens: what they may do. */
  scopes: string[];
  canReadGatedRepos: boolean | null;
  /** keychain: stored in the OS keychain; session: in memory until Hubcap quits (no keychain). */
  storage: 'keychain' | 'session';
  active: boolean;
}

export interface AccountView {
  /** The token in use and where it comes from (null: anonymous). */
  current: { source: 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN' | 'keychain' | 'session' | 'token-file'; masked: string; info: TokenInfo | null } | null;
  tokens: TokenInfo[];
  keychain: { available: boolean; reason: string | null };
  /** A plaintext token file written by `hf auth login`. */
  tokenFile: { path: string; exists: boolean; storedTokens: string[] };
  envToken: { name: 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN'; masked: string } | null;
  implicitTokenDisabled: boolean;
}

/** Who is signed in, as the Hub's status line names them (main-side: the status line reads it without probing the keychain). */
export interface AccountIdentity {
  source: NonNullable<AccountView['current']>['source'];
  info: Pick<TokenInfo, 'user' | 'role'> | null;
}

export const accountRequests = {
  'account.get': request<AccountView>()(Empty),
  // The one request that carries a token: validated here, never logged, never echoed back.
  'account.login': request<AccountView>()(
    z.object({ token: z.string().min(1, 'Paste a token.').max(512), name: z.string().trim().max(64).optional() }).strict(),
  ),
  'account.switch': request<AccountView>()(z.object({ name: z.string().min(1).max(64) }).strict()),
  'account.rename': request<AccountView>()(z.object({ from: z.string().min(1).max(64), to: z.string().trim().min(1, 'Enter a name.').max(64) }).strict()),
  'account.logout': request<AccountView>()(z.object({ name: z.string().min(1).max(64) }).strict()),
  'account.importTokenFile': request<AccountView>()(Empty),
  'account.deleteTokenFile': request<AccountView>()(Empty),
} as const;

export const accountEvents = {
  'account.changed': event<AccountView>(),
} as const;
