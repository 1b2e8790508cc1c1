/**
 * The core's side of the inference host: starts the host process on first use, talks birpc to it,
 * and turns its death (native crash, OOM kill, abort) into one error for whatever was waiting on it.
 * The process itself comes from a launcher: a Node child under serve and tests, an Electron
 * utilityProcess on desktop (src-main/electron/inference-host.ts).
 */
import { fork } from 'node:child_process';
import { createBirpc, type BirpcReturn } from 'birpc';
import { ApiError } from '../contract/errors';
import type { HostFunctions, ParentFunctions } from './host-protocol';

export interface HostExit {
  code: number | null;
  signal: string | null;
}

/** One running host process, whatever started it. */
export interface HostChannel {
  readonly pid: number | undefined;
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: HostExit) => void): void;
  /** The last lines the host wrote to stderr (llama.cpp prints why it aborted there). */
  stderrTail(): string;
  kill(): void;
}

export type HostLauncher = () => HostChannel;

/** The host gets no Hub token: it never needs one, and node-llama-cpp would read one from the environment. */
export function hostEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || k === 'HF_TOKEN' || k === 'HUGGING_FACE_HUB_TOKEN' || k === 'HF_TOKEN_PATH') continue;
    out[k] = v;
  }
  // Points node-llama-cpp's own token-file lookup at a file that does not exist.
  out.HF_TOKEN_PATH = '/nonexistent/hubcap-inference-host-has-no-token';
  return out;
}

/** Keeps the last few KB a stream wrote. */
export function tailOf(stream: { on(event: 'data', listener: (chunk: Buffer | string) => void): unknown } | null, limit = 4096): () => string {
  let tail = '';
  stream?.on('data', (chunk: Buffer | string) => {
    tail = (tail + chunk.toString()).slice(-limit);
  });
  return () => tail;
}

/** A Node child process (serve, CLI, tests). `execArgv` lets tests run the TypeScript entry through tsx. */
export function nodeHostLauncher(entry: string, options: { env: Readonly<Record<string, string | undefined>>; execArgv?: string[] }): HostLauncher {
  return () => {
    const child = fork(entry, [], {
      env: hostEnv(options.env),
      execArgv: options.execArgv ?? [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const stderrTail = tailOf(child.stderr);
    return {
      pid: child.pid,
      post: (m) => {
        if (child.connected) child.send(m as object);
      },
      onMessage: (fn) => child.on('message', fn),
      onExit: (fn) => child.on('exit', (code, signal) => fn({ code, signal })),
      stderrTail,
      kill: () => child.kill('SIGKILL'),
    };
  };
}

/** Says how the host ended, in words a user can act on. */
export function describeExit(exit: HostExit, stderr: string): string {
  const how =
    exit.signal === 'SIGKILL'
      ? 'was killed (out of memory, or stopped from outside)'
      : exit.signal
        ? `crashed (${exit.signal})`
        : `exited with code ${exit.code ?? 'unknown'}`;
  const lastLine = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1);
  return `The inference process ${how}${lastLine ? `: ${lastLine.slice(0, 300)}` : ''}.`;
}

export type HostRpc = BirpcReturn<HostFunctions, ParentFunctions>;

export interface InferenceHostOptions {
  launcher: HostLauncher;
  parent: ParentFunctions;
  /** Called when the host dies without being asked to; `message` says how. */
  onCrash: (message: string) => void;
}

export class InferenceHost {
  #opts: InferenceHostOptions;
  #current: { channel: HostChannel; rpc: HostRpc; stopping: boolean } | null = null;

  constructor(opts: InferenceHostOptions) {
    this.#opts = opts;
  }

  get running(): boolean {
    return this.#current !== null;
  }

  get pid(): number | undefined {
    return this.#current?.channel.pid;
  }

  /** The host's functions, starting the process if it is not running. */
  rpc(): HostRpc {
    if (this.#current) return this.#current.rpc;
    const channel = this.#opts.launcher();
    const listeners = new Set<(m: unknown) => void>();
    channel.onMessage((m) => {
      for (const l of listeners) l(m);
    });
    const rpc: HostRpc = createBirpc<HostFunctions, ParentFunctions>(this.#opts.parent, {
      post: (m) => channel.post(m),
      on: (fn) => listeners.add(fn),
      off: (fn) => listeners.delete(fn),
      eventNames: ['abort'],
      // Loads of big models take minutes; the host's death is what ends a call, not a clock.
      timeout: -1,
    });
    const current = { channel, rpc, stopping: false };
    this.#current = current;
    channel.onExit((exit) => {
      if (this.#current === current) this.#current = null;
      const message = describeExit(exit, channel.stderrTail());
      rpc.$close(new ApiError('HOST_CRASHED', current.stopping ? 'The inference process was stopped.' : message));
      if (!current.stopping) this.#opts.onCrash(message);
    });
    return rpc;
  }

  /** Stops the host on purpose (idle, app exit); pending calls fail with a plain "stopped". */
  stop(): void {
    const current = this.#current;
    if (!current) return;
    current.stopping = true;
    this.#current = null;
    current.channel.kill();
  }
}
