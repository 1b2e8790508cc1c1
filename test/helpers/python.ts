/**
 * A real second writer: Python with the `filelock` package huggingface_hub uses (Debian's
 * python3-filelock). Missing, it fails with the install hint: these tests never skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const PYTHON_FILELOCK_HINT = 'sudo apt-get install -y python3-filelock';
const SCRIPT = new URL('./python_writer.py', import.meta.url).pathname;

let found: string | null = null;

/** A Python that can `import filelock` (the one on PATH, else Debian's). */
export function pythonWithFilelock(): string {
  if (found) return found;
  for (const candidate of [process.env.HUBCAP_TEST_PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['-c', 'import filelock'], { stdio: 'ignore' });
    if (r.status === 0) return (found = candidate);
  }
  throw new Error(`These tests need Python's filelock package (what huggingface_hub locks with). Install it with:  ${PYTHON_FILELOCK_HINT}`);
}

export interface PythonWriter {
  proc: ChildProcess;
  lines: string[];
  waitFor(line: string, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function startPythonWriter(args: string[]): PythonWriter {
  const proc = spawn(pythonWithFilelock(), [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  const listeners = new Set<() => void>();
  proc.stdout?.on('data', (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    for (const l of listeners) l();
  });
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    lines,
    exited,
    waitFor: (line, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        if (lines.includes(line)) return resolve();
        const timer = setTimeout(() => reject(new Error(`python never said ${line}; said ${lines.join(' | ')}; stderr: ${stderr}`)), timeoutMs);
        const check = () => {
          if (lines.includes(line)) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve();
          }
        };
        listeners.add(check);
        void exited.then(() => setTimeout(check, 50));
      }),
  };
}
