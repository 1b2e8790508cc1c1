/**
 * The Hubcap core, as a composition root: it lists the capabilities' slices and wires what each
 * declares (src-main/base/slice.ts). Every service is built from the names it needs; their
 * handlers are merged into the one table the contract requires (checked complete at compile time).
 * No feature logic lives here. Plain Node, no electron.
 */
import type { HostLauncher } from '../inference/host-client';
import type { Handlers } from '../contract/handlers';
import type { Slice } from '../base/slice';
import { EventBus } from '../base/events';
import { osKeychain, type Keychain } from '../account/keychain';
import { readHfEnv, type Env, type HfEnv } from '../hub/hf-env';
import type { SettingsBackendFactory } from '../settings/store';
import type { DesktopActions } from '../desktop/handlers';
import { SLICES } from './slices';

export type { DesktopActions };

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

/* eslint-disable @typescript-eslint/no-explicit-any -- type-level plumbing over the list; no value is ever `any` */
export type AnySlice = Slice<string, any, any, any>;
type NeedsOf<S> = S extends Slice<string, infer N, any, any> ? N : never;
type Listed = (typeof SLICES)[number];
type Services = { [S in Listed as S['name']]: S extends Slice<string, any, infer V, any> ? V : never };
type HandlersOf<S> = S extends Slice<string, any, any, infer H> ? H : never;
type Together<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/* eslint-enable @typescript-eslint/no-explicit-any */

export type Registry = CoreRoot & Services;
export type Core = Registry & { readonly dataDir: string; readonly handlers: Handlers; close(): Promise<void> };

// A slice needing a name nobody provides, or the merged handlers missing a request, fails to compile here.
type Unmet = { [S in Listed as Registry extends NeedsOf<S> ? never : S['name']]: NeedsOf<S> };
const everyNeedMet: keyof Unmet extends never ? true : Unmet = true;
type Merged = Together<HandlersOf<Listed>>;
const everyRequestHandled: Merged extends Handlers ? true : Exclude<keyof Handlers, keyof Merged> = true;
void everyNeedMet;
void everyRequestHandled;

/** A slice's view of the registry: only the names it declared, each looked up when used (so later services are reachable from callbacks). */
function needsOf(registry: Record<string, unknown>, slice: AnySlice): unknown {
  return new Proxy(
    {},
    {
      get(_, key) {
        if (typeof key !== 'string' || !slice.needs.includes(key)) throw new Error(`The ${slice.name} slice did not declare that it needs ${String(key)}.`);
        if (!(key in registry)) throw new Error(`The ${slice.name} slice used ${key} while being built, before ${key} exists.`);
        return registry[key];
      },
    },
  );
}

/** Builds each slice in order, merges their handlers, then runs their start hooks (`background` only when `serving`). */
export function wireSlices(root: object, slices: readonly AnySlice[], serving: boolean) {
  const registry: Record<string, unknown> = { ...root };
  for (const slice of slices) registry[slice.name] = slice.create(needsOf(registry, slice));
  const handlers: Partial<Handlers> = Object.assign({}, ...slices.map((s) => s.handlers?.(registry[s.name], needsOf(registry, s)) ?? {}));
  for (const slice of slices) slice.ready?.(registry[slice.name], needsOf(registry, slice));
  if (serving) for (const slice of slices) slice.background?.(registry[slice.name], needsOf(registry, slice));
  const close = async () => {
    for (const slice of [...slices].reverse()) await slice.close?.(registry[slice.name]);
  };
  return { registry, handlers, close };
}

export function createCore(options: CoreOptions): Core {
  const root: CoreRoot = { options, hf: readHfEnv(options.env, options.homeDir), events: new EventBus(), keychain: options.keychain ?? osKeychain() };
  // The CLI's one-shot commands open no port and start no timer; `hubcap api` and `hubcap mirror` start their own.
  const { registry, handlers, close } = wireSlices(root, SLICES, options.transport !== 'cli');
  return Object.assign(registry as unknown as Registry, { dataDir: options.dataDir, handlers: handlers as Handlers, close });
}
