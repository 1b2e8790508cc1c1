/**
 * How the core wires a list of slices (src-main/base/slice.ts), apart from which slices it lists:
 * the root every slice may need, the needs each one sees, handlers merged, start hooks, close. It
 * imports no slice, so a core of a few capabilities (`download-core.ts`) loads only theirs (#25).
 */
import type { HostLauncher } from '../inference/host-client';
import type { Handlers } from '../contract/handlers';
import type { Slice } from '../base/slice';
import { EventBus } from '../base/events';
import { osKeychain, type Keychain } from '../account/keychain';
import { readHfEnv, type Env, type HfEnv } from '../hub/hf-env';
import type { SettingsBackendFactory } from '../settings/store';
import type { DesktopActions } from '../desktop/handlers';

export interface CoreOptions {
  transport: 'electron' | 'serve' | 'cli';
  env: Env;
  homeDir: string;
  platform: NodeJS.Platform;
  dataDir: string;
  settingsBackend: SettingsBackendFactory;
  desktop?: DesktopActions;
  runtime?: { electron: string | null; chrome: string | null };
  fetch?: typeof fetch;
  /** Probe the Hub at start (off in unit tests and the CLI, which must make no request unasked). */
  probeHubOnStart?: boolean;
  /** The OS keychain by default; tests pass a stand-in. */
  keychain?: Keychain;
  /** Starts the inference host process; without it, local inference says it is not available. */
  inferenceLauncher?: HostLauncher;
  /** Stop the inference host this long after nothing is loaded (tests shorten it). */
  inferenceHostIdleMs?: number;
  /** The CLI: a cache folder for this run only, and downloads that are not the app's queue. */
  cacheDirOverride?: string;
  ephemeralQueue?: boolean;
  /** The built upload worker (`publish-worker.js`); without it, the TypeScript source runs through tsx. */
  uploadWorker?: string;
  /** The built Xet decode worker (`xet-decode-worker.js`); without it, the TypeScript source runs through tsx. */
  xetDecodeWorker?: string;
  /** Upload stall cut-off and retries (tests shorten them). */
  publishStallMs?: number;
}

/** What the core itself provides to every slice: the options it was started with, the environment, the event bus, the keychain. */
export interface CoreRoot {
  options: CoreOptions;
  hf: HfEnv;
  events: EventBus;
  keychain: Keychain;
}

export function coreRoot(options: CoreOptions): CoreRoot {
  return { options, hf: readHfEnv(options.env, options.homeDir), events: new EventBus(), keychain: options.keychain ?? osKeychain() };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- type-level plumbing over a list; no value is ever `any` */
export type AnySlice = Slice<string, any, any, any>;
export type NeedsOf<S> = S extends Slice<string, infer N, any, any> ? N : never;
/** The services of a list of slices, each under its slice's name. */
export type ServicesOf<L extends readonly AnySlice[]> = { [S in L[number] as S['name']]: S extends Slice<string, any, infer V, any> ? V : never };
type HandlersOf<S> = S extends Slice<string, any, any, infer H> ? H : never;
type Together<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** The handlers a list of slices merges into one table. */
export type MergedHandlers<L extends readonly AnySlice[]> = Together<HandlersOf<L[number]>>;
/** The slices of a list whose needs are neither in `Registry` nor named in `Absent`, with those needs (empty when all are met). */
export type UnmetNeeds<L extends readonly AnySlice[], Registry, Absent extends string = never> = {
  [S in L[number] as Registry & { [A in Absent]: never } extends NeedsOf<S> ? never : S['name']]: NeedsOf<S>;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * What a slice sees of a need its core does not compose (`absent`): a stand-in that fails at first
 * use, naming it. Such a need may only be touched by handlers that core never runs.
 */
function absentService(slice: string, key: string): unknown {
  const fail = (): never => {
    throw new Error(`The ${slice} slice used ${key}, which this core does not compose.`);
  };
  return new Proxy({}, { get: fail, set: fail, has: fail, apply: fail });
}

/** A slice's view of the registry: only the names it declared, each looked up when used (so later services are reachable from callbacks). */
function needsOf(registry: Record<string, unknown>, slice: AnySlice, absent: readonly string[]): unknown {
  return new Proxy(
    {},
    {
      get(_, key) {
        if (typeof key !== 'string' || !slice.needs.includes(key)) throw new Error(`The ${slice.name} slice did not declare that it needs ${String(key)}.`);
        if (absent.includes(key)) return absentService(slice.name, key);
        if (!(key in registry)) throw new Error(`The ${slice.name} slice used ${key} while being built, before ${key} exists.`);
        return registry[key];
      },
    },
  );
}

/**
 * Builds each slice in order, merges their handlers, then runs their start hooks (`background` only
 * when `serving`). `absent`: names some slice needs that this core leaves out on purpose.
 */
export function wireSlices(root: object, slices: readonly AnySlice[], serving: boolean, absent: readonly string[] = []) {
  const registry: Record<string, unknown> = { ...root };
  const view = (slice: AnySlice) => needsOf(registry, slice, absent);
  for (const slice of slices) registry[slice.name] = slice.create(view(slice));
  const handlers: Partial<Handlers> = Object.assign({}, ...slices.map((s) => s.handlers?.(registry[s.name], view(s)) ?? {}));
  for (const slice of slices) slice.ready?.(registry[slice.name], view(slice));
  if (serving) for (const slice of slices) slice.background?.(registry[slice.name], view(slice));
  const close = async () => {
    for (const slice of [...slices].reverse()) await slice.close?.(registry[slice.name]);
  };
  return { registry, handlers, close };
}
