/** The `hubcap` command line as a real process (through tsx), with a throwaway HOME. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { tmpDir } from './tmp';

const ENTRY = new URL('../../src-main/cli/hubcap.ts', import.meta.url).pathname;

export function startCli(args: string[], env: Record<string, string>): ChildProcess {
  const home = env.HOME ?? tmpDir();
  return spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { PATH: process.env.PATH, HOME: home, HUBCAP_DATA_DIR: path.join(home, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A process's output and exit code; past `timeoutMs` (when given) it is killed, so a hung one cannot hang the test. */
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

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return collect(startCli(args, env));
}

/** HOME, HF_ENDPOINT and HF_HUB_CACHE for one test. */
export function cliEnv(hubUrl: string): { HOME: string; HF_ENDPOINT: string; HF_HUB_CACHE: string } {
  const home = tmpDir();
  return { HOME: home, HF_ENDPOINT: hubUrl, HF_HUB_CACHE: path.join(home, 'hub') };
}
