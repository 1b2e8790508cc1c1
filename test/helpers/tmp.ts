import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

/** A throwaway folder, removed after the test. */
export function tmpDir(prefix = 'hubcap-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function removeMade(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

// Under vitest after each test; a bench (plain tsx) imports these helpers too, and removes them at exit.
if (process.env.VITEST) afterEach(removeMade);
else process.on('exit', removeMade);
