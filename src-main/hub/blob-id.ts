/**
 * How the Hub names file contents, and so the cache's blobs (docs/hub-protocol.md §1.3): the
 * sha256 of the content for LFS (and Xet) files, git's blob sha1 (`sha1("blob <size>\0" + data)`)
 * for regular files. One pattern and one rule for hashing by name, for every room that needs them.
 */
import { ETAG_RE, SHA256_RE } from '../contract/ids';

export { ETAG_RE, SHA256_RE };

export function isEtag(value: string): boolean {
  return ETAG_RE.test(value);
}

/** The hash a blob's name is made with: sha256 (64-hex etag) or git's blob sha1 (40-hex) with its prefix. */
export function hashAlgorithm(etag: string, size: number): { algo: 'sha256' | 'sha1'; prefix: string | null } {
  return etag.length === 64 ? { algo: 'sha256', prefix: null } : { algo: 'sha1', prefix: `blob ${size}\0` };
}
