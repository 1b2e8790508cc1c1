import { describe, expect, it } from 'vitest';
import { AnswerBody } from '../../src-main/xet/lent-body';
import { dropRead, readSlabsInUse, takeReadSlab } from '../../src-main/xet/read-slabs';

describe('AnswerBody', () => {
  it('lends each view until the next is asked for, and a destroy gives back the queued ones but not the one lent', async () => {
    const base = readSlabsInUse();
    let destroyed = 0;
    const body = new AnswerBody(
      () => undefined,
      () => (destroyed += 1),
    );
    const slabs = [takeReadSlab(), takeReadSlab(), takeReadSlab()];
    slabs.forEach((s, i) => body.push(s.fill(i + 1).subarray(0, 10)));
    const it = body[Symbol.asyncIterator]();
    const first = (await it.next()).value as Buffer;
    expect(readSlabsInUse() - base).toBe(3);
    body.destroy(new Error('stalled'));
    expect(destroyed).toBe(1);
    // The two queued went back; the lent one is still the reader's, and still reads right.
    expect(readSlabsInUse() - base).toBe(1);
    expect([...first].every((x) => x === 1)).toBe(true);
    await expect(it.next()).rejects.toThrow('stalled');
    expect(readSlabsInUse() - base).toBe(0);
    await body.closed;
  });

  it('ends after its last view once ended, and settles closed when the reader is done', async () => {
    const body = new AnswerBody(
      () => undefined,
      () => undefined,
    );
    const slab = takeReadSlab();
    body.push(slab.subarray(0, 5));
    body.end();
    let settled = false;
    void body.closed.then(() => (settled = true));
    const seen: number[] = [];
    for await (const v of body) seen.push(v.length);
    expect(seen).toEqual([5]);
    await Promise.resolve();
    expect(settled).toBe(true);
    // A view already given back by the body is not given back again.
    expect(() => dropRead(slab.subarray(0, 1))).toThrow(/more often/);
  });
});
