/**
 * The one home of how the Hub names things by hash (docs/hub-protocol.md §1.3, §3.4): a commit is
 * 40 lowercase hex (git sha1); an LFS or Xet file's blob is named by the 64-hex sha256 of its
 * content; a regular file's blob by git's 40-hex blob sha1; a Xet file hash is 64 hex. Lowest layer
 * (the contract, shared with the renderer) so every room imports these rather than rewriting them;
 * lint (`eslint.config.js`, ONE_HOME_RULE) refuses a second `{40}`/`{64}` pattern anywhere else.
 */
export const COMMIT_ID = String.raw`[0-9a-f]{40}`;
export const SHA256_HEX = String.raw`[0-9a-f]{64}`;

/** A full commit id. */
export const COMMIT_RE = new RegExp(`^${COMMIT_ID}$`);
/** A sha256 in hex: LFS/Xet blob names, payload hashes. */
export const SHA256_RE = new RegExp(`^${SHA256_HEX}$`);
/** A blob name (the Hub's etag): sha256 for LFS/Xet files, git blob sha1 for regular ones. */
export const ETAG_RE = new RegExp(`^(?:${COMMIT_ID}|${SHA256_HEX})$`);
/** A Xet hash (file, xorb or chunk): 32 bytes as 64 hex. */
export const XET_HASH_RE = SHA256_RE;
