/**
 * The Hubcap core, as a composition root: it lists the capabilities' slices and wires what each
 * declares (src-main/base/slice.ts). Every service is built from the names it needs; their
 * handlers are merged into the one table the contract requires (checked complete at compile time).
 * No feature logic lives here. Plain Node, no electron.
 */
import type { Handlers } from '../contract/handlers';
import type { DesktopActions } from '../desktop/handlers';
import { coreRoot, wireSlices, type CoreOptions, type CoreRoot, type MergedHandlers, type ServicesOf, type UnmetNeeds } from './wire';
import { SLICES } from './slices';

export type { DesktopActions };
export { wireSlices, type CoreOptions, type CoreRoot };
export type { AnySlice } from './wire';

type Listed = typeof SLICES;
export type Registry = CoreRoot & ServicesOf<Listed>;
export type Core = Registry & { readonly dataDir: string; readonly handlers: Handlers; close(): Promise<void> };

// A slice needing a name nobody provides, or the merged handlers missing a request, fails to compile here.
type Unmet = UnmetNeeds<Listed, Registry>;
const everyNeedMet: keyof Unmet extends never ? true : Unmet = true;
type Merged = MergedHandlers<Listed>;
const everyRequestHandled: Merged extends Handlers ? true : Exclude<keyof Handlers, keyof Merged> = true;
void everyNeedMet;
void everyRequestHandled;

export function createCore(options: CoreOptions): Core {
  const root = coreRoot(options);
  // The CLI's one-shot commands open no port and start no timer; `hubcap api` and `hubcap mirror` start their own.
  const { registry, handlers, close } = wireSlices(root, SLICES, options.transport !== 'cli');
  return Object.assign(registry as unknown as Registry, { dataDir: options.dataDir, handlers: handlers as Handlers, close });
}
