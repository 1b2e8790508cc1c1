import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';

/** Folders made inside a test (removed after it) and outside one, in a beforeAll or at collection (removed after the file). */
const byTest: string[] = [];
const byFile: string[] = [];

const underVitest = Boolean(process.env.VITEST);

/** A throwaway folder, removed after the test that made it (after the file, when made in a beforeAll). */
export function tmpDir(prefix = 'hubcap-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  (underVitest && expect.getState().currentTestName !== undefined ? byTest : byFile).push(dir);
  return dir;
}

function remove(list: string[]): void {
  for (const dir of list.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

// A bench (plain tsx) imports these helpers too, and removes its folders at exit.
if (underVitest) {
  afterEach(() => remove(byTest));
  afterAll(() => remove(byFile));
} else {
  process.on('exit', () => remove(byFile));
}
