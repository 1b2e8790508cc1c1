/** What the renderer may know about tokens: never a token itself, only its masked form and the Hub's view of it. */
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
