import type fs from 'node:fs';
import type { ReadAt } from './format-error';

/** A bounded ReadAt over an open file. */
export function fileReadAt(fh: fs.promises.FileHandle): ReadAt {
  return async (offset, length) => {
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  };
}
