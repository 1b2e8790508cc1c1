/** Numbers from the Hub are checked before they become sizes, loop bounds or allocations. */
import { describe, expect, it } from 'vitest';
import { isByteCount, MAX_FILE_BYTES, parseByteCount } from '../../src-main/hub/limits';

describe('byte counts from the Hub', () => {
  it('accepts safe non-negative integers up to the bound', () => {
    expect(isByteCount(0)).toBe(true);
    expect(isByteCount(MAX_FILE_BYTES)).toBe(true);
    expect(isByteCount(MAX_FILE_BYTES + 1)).toBe(false);
    expect(isByteCount(10, 9)).toBe(false);
    for (const bad of [-1, 1.5, NaN, Infinity, '12', null, 2 ** 53]) expect(isByteCount(bad)).toBe(false);
  });

  it('parses a header of decimal digits only, within bounds', () => {
    expect(parseByteCount('1234')).toBe(1234);
    expect(parseByteCount(' 42 ')).toBe(42);
    expect(parseByteCount('0')).toBe(0);
    for (const bad of ['', '-1', '1e6', '0x10', '12abc', '1.0', '99999999999999999', String(MAX_FILE_BYTES + 1)]) expect(parseByteCount(bad)).toBeNull();
    expect(parseByteCount('100', 99)).toBeNull();
    expect(parseByteCount(null)).toBeNull();
    expect(parseByteCount(undefined)).toBeNull();
  });
});
