/** A folder made in a beforeAll lives for the whole file; one made in a test goes after it. */
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from './tmp';

let shared = '';
let inTest = '';

describe('throwaway folders', () => {
  beforeAll(() => {
    shared = tmpDir();
  });

  it('keeps a beforeAll folder for every test of the file', () => {
    inTest = tmpDir();
    expect(fs.existsSync(shared)).toBe(true);
  });

  it('removes a test’s own folder after it, and still has the beforeAll one', () => {
    expect(fs.existsSync(inTest)).toBe(false);
    expect(fs.existsSync(shared)).toBe(true);
  });
});
