/**
 * The core a one-shot `hubcap download` needs (#25): the first five slices of `SLICES` (settings,
 * account, the Hub, the cache, the download engine), composed by the same wiring, so the command
 * neither loads nor builds the other capabilities (Library, inference, apps, publishing, the local
 * API, mirror, updates…: about half the core's code, and their contracts' schemas). The app,
 * serve and every other command keep the whole core (`core.ts`).
 */
import type { HandlerSlice, Handlers } from '../contract/handlers';
import { accountSlice } from '../account/slice';
import { cacheSlice } from '../cache/slice';
import { downloadsSlice } from '../downloads/slice';
import { hubSlice } from '../hub/slice';
import { settingsSlice } from '../settings/slice';
import { coreRoot, wireSlices, type CoreOptions, type CoreRoot, type MergedHandlers, type ServicesOf, type UnmetNeeds } from './wire';

/** In `SLICES`'s order (each may use, while being built, only those above it). */
export const DOWNLOAD_SLICES = [settingsSlice, accountSlice, hubSlice, cacheSlice, downloadsSlice] as const;

/**
 * Needed by the cache's handlers only (delete previews, moves: what other apps' exports and the
 * loaded model use), which a download never runs: left out, and any use fails, naming them.
 */
export const DOWNLOAD_CORE_ABSENT = ['exports', 'inference'] as const;

type Listed = typeof DOWNLOAD_SLICES;
type Registry = CoreRoot & ServicesOf<Listed>;
type Served = keyof MergedHandlers<Listed> & keyof Handlers;
export type DownloadCore = Registry & { readonly dataDir: string; readonly handlers: HandlerSlice<Served>; close(): Promise<void> };

// A need neither composed here nor named absent fails to compile here.
type Unmet = UnmetNeeds<Listed, Registry, (typeof DOWNLOAD_CORE_ABSENT)[number]>;
const everyNeedMet: keyof Unmet extends never ? true : Unmet = true;
void everyNeedMet;

export function createDownloadCore(options: CoreOptions): DownloadCore {
  const { registry, handlers, close } = wireSlices(coreRoot(options), DOWNLOAD_SLICES, options.transport !== 'cli', DOWNLOAD_CORE_ABSENT);
  return Object.assign(registry as unknown as Registry, { dataDir: options.dataDir, handlers: handlers as HandlerSlice<Served>, close });
}
