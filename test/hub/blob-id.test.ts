/** How a blob's name says which hash it is: sha256 for LFS and Xet files, git's blob sha1 (with its header) otherwise. */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashAlgorithm, isEtag } from '../../src-main/hub/blob-id';

describe('blob ids', () => {
  it('are 40 or 64 lowercase hex characters', () => {
    expect(isEtag('a'.repeat(40))).toBe(true);
    expect(isEtag('0'.repeat(64))).toBe(true);
    for (const bad of ['a'.repeat(39), 'a'.repeat(41), 'A'.repeat(40), 'g'.repeat(64), '', `"${'a'.repeat(40)}"`]) expect(isEtag(bad)).toBe(false);
  });

  it('name the hash to check: a sha1 with git’s "blob <size>\\0" header gives the etag of a regular file', () => {
    expect(hashAlgorithm('a'.repeat(64), 10)).toEqual({ algo: 'sha256', prefix: null });
    const data = Buffer.from('{"model_type":"llama"}\n');
    const { algo, prefix } = hashAlgorithm('b'.repeat(40), data.length);
    expect(algo).toBe('sha1');
    // The same id `git hash-object` gives.
    const id = crypto
      .createHash(algo)
      .update(prefix ?? '')
      .update(data)
      .digest('hex');
    expect(id).toBe(
      crypto
        .createHash('sha1')
        .update(Buffer.concat([Buffer.from(`blob ${data.length}\0`), data]))
        .digest('hex'),
    );
    expect(prefix).toBe(`blob ${data.length}\0`);
  });
});
