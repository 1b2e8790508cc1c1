/**
 * A child process's output and exit code, without vitest: benches (plain tsx) and tests share it.
 */
import type { ChildProcess } from 'node:child_process';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A process's output and exit code; past `timeoutMs` (when given) it is killed, so a hung one cannot hang the caller. */
export function collect(p: ChildProcess, timeoutMs?: number): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  p.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = timeoutMs === undefined ? null : setTimeout(() => p.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    p.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
