import type { AccountView, TokenInfo } from '../../../src-main/contract/account';

export const ROLE: Record<TokenInfo['role'], string> = { read: 'Read', write: 'Write', fineGrained: 'Fine-grained', unknown: 'Unknown role' };

/** Where the token in use came from, as the page says it. */
export const SOURCE: Record<NonNullable<AccountView['current']>['source'], string> = {
  HF_TOKEN: 'HF_TOKEN (environment)',
  HUGGING_FACE_HUB_TOKEN: 'HUGGING_FACE_HUB_TOKEN (environment)',
  keychain: 'OS keychain',
  session: 'this session only',
  'token-file': 'plaintext token file',
};
