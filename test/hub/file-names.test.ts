/** File names from the Hub refused before they reach the cache, each with its reason, and names shown safely. */
import { describe, expect, it } from 'vitest';
import { quoteName, unsafeNameReason } from '../../src-main/hub/file-names';

describe('unsafeNameReason', () => {
  it('lets ordinary names through, in folders too', () => {
    for (const ok of ['config.json', 'sub/dir/model-00001-of-00002.safetensors', 'ünïcode/名前.bin', '.gitattributes', 'a b/c.txt'])
      expect(unsafeNameReason(ok)).toBeNull();
  });

  it('says why a name cannot be stored on every system', () => {
    expect(unsafeNameReason('bad\u0007bell.txt')).toBe('it contains control characters');
    expect(unsafeNameReason('x\u009b.txt')).toBe('it contains control characters');
    expect(unsafeNameReason('../escape')).toBe('it could escape the cache folder');
    expect(unsafeNameReason('/abs')).toBe('it could escape the cache folder');
    expect(unsafeNameReason(`d/${'a'.repeat(256)}`)).toBe('a part of it is longer than 255 bytes');
    // 128 two-byte characters: 256 bytes, though only 128 characters.
    expect(unsafeNameReason('é'.repeat(128))).toBe('a part of it is longer than 255 bytes');
    expect(unsafeNameReason('dir/CON.txt')).toBe('Windows reserves the name "CON"');
    expect(unsafeNameReason('com1')).toBe('Windows reserves the name "com1"');
    expect(unsafeNameReason('lpt².log')).toBe('Windows reserves the name "lpt²"');
    expect(unsafeNameReason('console.txt')).toBeNull();
    expect(unsafeNameReason('name.')).toBe('Windows cannot store a name ending in a dot or a space');
    expect(unsafeNameReason('dir /x')).toBe('Windows cannot store a name ending in a dot or a space');
    expect(unsafeNameReason('what?.txt')).toBe('Windows cannot store the character "?" in a file name');
    expect(unsafeNameReason('ab:c')).toBe('Windows cannot store the character ":" in a file name');
  });
});

describe('quoteName', () => {
  it('escapes control characters and bounds the length', () => {
    expect(quoteName('a\nb')).toBe('"a\\nb"');
    expect(quoteName('x\u009by')).toBe('"x\\u009by"');
    const long = quoteName('n'.repeat(500));
    expect(long).toBe(`"${'n'.repeat(200)}…"`);
  });
});
