/**
 * A second machine for the mirror's clients: a network namespace joined to this one by a veth pair
 * (created here, removed by `close`), so a client there reaches the mirror over a real interface
 * and cannot reach the fakehub on loopback at all. Where namespaces are refused (no root, a
 * container without CAP_NET_ADMIN) it falls back to loopback and says so in the output.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { collect } from '../helpers/cli';
import { hf1Python, hfPython, type PyResult } from '../helpers/hf-python';

export interface SecondMachine {
  /** Where the mirror must listen for it, and the address it comes from. */
  hostAddress: string;
  clientAddress: string;
  namespace: string | null;
  /** Runs Python 2.0 there with `env` (and nothing of this machine's HF_* settings). */
  python(args: string[], env: Record<string, string>, timeoutMs?: number): Promise<PyResult>;
  /** The same with huggingface_hub 1.x. */
  python1(args: string[], env: Record<string, string>, timeoutMs?: number): Promise<PyResult>;
  close(): void;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function run(cmd: string[], env: Record<string, string>, timeoutMs: number): Promise<PyResult> {
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', HF_HUB_DISABLE_TELEMETRY: '1' };
  return collect(spawn(cmd[0] as string, cmd.slice(1), { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }), timeoutMs);
}

export function secondMachine(): SecondMachine {
  const python = hfPython();
  const name = `hcm-${randomBytes(3).toString('hex')}`;
  // A random /30 in 10.200.0.0/13: test files running at once never pick the same one in practice.
  const [a = 0, b = 0, c = 0] = randomBytes(3);
  const base = `10.${200 + (a % 8)}.${b}`;
  const hostAddress = `${base}.${(c % 64) * 4 + 1}`;
  const clientAddress = `${base}.${(c % 64) * 4 + 2}`;
  try {
    ip(['netns', 'add', name]);
    try {
      ip(['link', 'add', `${name}-h`, 'type', 'veth', 'peer', 'name', `${name}-c`]);
      ip(['link', 'set', `${name}-c`, 'netns', name]);
      ip(['addr', 'add', `${hostAddress}/30`, 'dev', `${name}-h`]);
      ip(['link', 'set', `${name}-h`, 'up']);
      ip(['netns', 'exec', name, 'ip', 'addr', 'add', `${clientAddress}/30`, 'dev', `${name}-c`]);
      ip(['netns', 'exec', name, 'ip', 'link', 'set', `${name}-c`, 'up']);
      ip(['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    } catch (error) {
      ip(['netns', 'del', name]);
      throw error;
    }
    console.log(`second machine: network namespace ${name} at ${clientAddress}, the mirror at ${hostAddress}`);
    return {
      hostAddress,
      clientAddress,
      namespace: name,
      python: (args, env, timeoutMs = 120_000) => run(['ip', 'netns', 'exec', name, python, ...args], env, timeoutMs),
      python1: (args, env, timeoutMs = 120_000) => run(['ip', 'netns', 'exec', name, hf1Python(), ...args], env, timeoutMs),
      close: () => {
        try {
          ip(['link', 'del', `${name}-h`]);
        } catch {
          // gone with the namespace already
        }
        ip(['netns', 'del', name]);
      },
    };
  } catch (error) {
    const why = ((error as { stderr?: Buffer }).stderr?.toString() || (error as Error).message).trim().split('\n')[0];
    console.log(`second machine: network namespaces refused here (${why}); loopback fallback: clients run on this machine`);
    return {
      hostAddress: '127.0.0.1',
      clientAddress: '127.0.0.1',
      namespace: null,
      python: (args, env, timeoutMs = 120_000) => run([python, ...args], env, timeoutMs),
      python1: (args, env, timeoutMs = 120_000) => run([hf1Python(), ...args], env, timeoutMs),
      close: () => undefined,
    };
  }
}
