/** The Xet road's options from a download's (xet-blob.ts): auto opens 2 ranges at first and up to 16 on a capped link; a number is kept. */
import { describe, expect, it } from 'vitest';
import { xetOptions } from '../../src-main/downloads/xet-blob';

describe('xetOptions', () => {
  const signal = new AbortController().signal;
  it('auto: two ranges at first, up to the classic road’s sixteen', () => {
    for (const connections of ['auto', undefined] as const)
      expect(xetOptions({ signal, ...(connections ? { connections } : {}) })).toMatchObject({ connections: 16, firstConnections: 2 });
  });
  it('a number: that many from the start', () => {
    const o = xetOptions({ signal, connections: 4 });
    expect(o.connections).toBe(4);
    expect(o.firstConnections).toBeUndefined();
  });
});
