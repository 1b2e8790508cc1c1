/** How a folder download's file came, said once for the CLI and the dialog. */
import { describe, expect, it } from 'vitest';
import { localDirVia } from '../../../src-main/contract/present/local-dir-via';

describe('localDirVia', () => {
  it('names the road a downloaded file took, and a Xet hash that did not hold', () => {
    expect(localDirVia({ via: 'present' })).toBe('already there');
    expect(localDirVia({ via: 'hashed' })).toBe('already there (checked by hash)');
    expect(localDirVia({ via: 'cache' })).toBe('from the cache');
    expect(localDirVia({ via: 'network', protocol: 'http' })).toBe('downloaded');
    expect(localDirVia({ via: 'network', protocol: 'xet' })).toBe('downloaded via Xet');
    expect(localDirVia({ via: 'network', protocol: 'xet', xetHashDiffers: true })).toMatch(/^downloaded via Xet \(its sha256 matched; .*Xet hash/);
  });
});
