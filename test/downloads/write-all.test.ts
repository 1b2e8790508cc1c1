/** Positional writes of bytes in several buffers (write-all.ts): every byte lands where it belongs, and views slice across buffers. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sliceParts, writeAll } from '../../src-main/downloads/write-all';
import { tmpDir } from '../helpers/tmp';

const parts = [Buffer.from('abc'), Buffer.from('defgh'), Buffer.from('i')];

describe('writeAll and sliceParts', () => {
  it('slices bytes laid end to end across buffers, as views', () => {
    expect(Buffer.concat(sliceParts(parts, 2, 7)).toString()).toBe('cdefg');
    expect(Buffer.concat(sliceParts(parts, 0, 9)).toString()).toBe('abcdefghi');
    expect(sliceParts(parts, 3, 8)).toHaveLength(1);
    expect(sliceParts(parts, 4, 4)).toHaveLength(0);
    const view = sliceParts(parts, 4, 6)[0];
    expect(view?.buffer).toBe(parts[1]?.buffer);
  });

  it('writes every byte at its position', async () => {
    const file = path.join(tmpDir(), 'f');
    fs.writeFileSync(file, Buffer.alloc(16, '.'));
    const fh = await fs.promises.open(file, 'r+');
    await writeAll(fh, parts, 9, 4);
    await writeAll(fh, sliceParts(parts, 1, 3), 2, 14);
    await fh.close();
    expect(fs.readFileSync(file, 'latin1')).toBe('....abcdefghi.bc');
  });
});
