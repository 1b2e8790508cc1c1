import { describe, expect, it } from 'vitest';
import {
  dropRead,
  holdRead,
  poisonFreedReads,
  readSlabBytesInUse,
  readSlabsInUse,
  SLAB_BYTES,
  takeReadSlab,
  TLS_SLAB_BYTES,
} from '../../src-main/xet/read-slabs';

describe('read slabs', () => {
  it('lends a slab until every reference is given back, then lends it again', () => {
    const before = readSlabsInUse();
    const a = takeReadSlab();
    expect(a.length).toBe(SLAB_BYTES);
    expect(readSlabsInUse()).toBe(before + 1);
    const view = a.subarray(100, 200);
    holdRead(view);
    dropRead(a); // the reader lets go; the view's holder has not
    expect(readSlabsInUse()).toBe(before + 1);
    const b = takeReadSlab();
    expect(b.byteOffset).not.toBe(a.byteOffset);
    dropRead(view);
    expect(readSlabsInUse()).toBe(before + 1);
    // Last in, first out: the slab freed last is lent next.
    const c = takeReadSlab();
    expect(c.buffer).toBe(a.buffer);
    expect(c.byteOffset).toBe(a.byteOffset);
    dropRead(b);
    dropRead(c);
    expect(readSlabsInUse()).toBe(before);
  });

  it('poisons a freed slab (every test: test/helpers/poison-reads.ts), so a view read after its last drop reads garbage', () => {
    poisonFreedReads(true);
    const a = takeReadSlab();
    a.fill(7);
    const view = a.subarray(0, 16);
    dropRead(a);
    expect([...view].every((x) => x === 0xee)).toBe(true);
  });

  it('refuses a drop too many and a hold of a free slab: either is memory shared with another read', () => {
    const a = takeReadSlab();
    dropRead(a);
    expect(() => dropRead(a)).toThrow(/more often than it was held/);
    expect(() => holdRead(a.subarray(0, 10))).toThrow(/free read slab/);
  });

  it('ignores an empty view, whose offset at the end of a slab names the next slab', () => {
    const a = takeReadSlab();
    const b = takeReadSlab();
    const inUse = readSlabsInUse();
    const edge = a.subarray(SLAB_BYTES);
    expect(holdRead(edge)).toBe(false);
    dropRead(edge);
    dropRead(edge);
    expect(readSlabsInUse()).toBe(inUse);
    dropRead(a);
    dropRead(b);
  });

  it('lends TLS reads slabs the size of a record', () => {
    const before = readSlabBytesInUse();
    const t = takeReadSlab(TLS_SLAB_BYTES);
    expect(t.length).toBe(TLS_SLAB_BYTES);
    expect(readSlabBytesInUse() - before).toBe(TLS_SLAB_BYTES);
    dropRead(t);
    expect(readSlabBytesInUse()).toBe(before);
  });

  it('lends fresh buffers once every slab is out, and ignores them and foreign buffers on hold and drop', () => {
    const taken: Buffer[] = [];
    const pooled = takeReadSlab();
    taken.push(pooled);
    for (;;) {
      const s = takeReadSlab();
      taken.push(s);
      if (s.buffer !== pooled.buffer) break;
    }
    const fresh = taken.at(-1) as Buffer;
    expect(fresh.length).toBe(SLAB_BYTES);
    const inUse = readSlabsInUse();
    holdRead(fresh);
    dropRead(fresh);
    dropRead(fresh);
    dropRead(Buffer.alloc(10));
    expect(readSlabsInUse()).toBe(inUse);
    for (const s of taken) dropRead(s);
    expect(readSlabsInUse()).toBe(0);
  });
});
