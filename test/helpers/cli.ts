/** The `hubcap` command line as a real process (through tsx), with a throwaway HOME. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { collect, type CliResult } from './process';
import { tmpDir } from './tmp';

export { collect, type CliResult };

const ENTRY = new URL('../../src-main/cli/hubcap.ts', import.meta.url).pathname;

export function startCli(args: string[], env: Record<string, string>): ChildProcess {
  const home = env.HOME ?? tmpDir();
  return spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    env: { PATH: process.env.PATH, HOME: home, HUBCAP_DATA_DIR: path.join(home, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return collect(startCli(args, env));
}

/** HOME, HF_ENDPOINT and HF_HUB_CACHE for one test. */
export function cliEnv(hubUrl: string): { HOME: string; HF_ENDPOINT: string; HF_HUB_CACHE: string } {
  const home = tmpDir();
  return { HOME: home, HF_ENDPOINT: hubUrl, HF_HUB_CACHE: path.join(home, 'hub') };
}
