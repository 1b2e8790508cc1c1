/**
 * A package loaded at its first use rather than at start (#25): native addons and wasm (the
 * keychain, the lock, the Xet primitives) cost every command their loading, and most commands
 * never call them. Loaded through `require`, synchronously (each ships CommonJS): an ESM import of
 * a CommonJS package also starts Node's CJS-export lexer (~10 ms of a short command here).
 * A package that fails to load throws at that call and is tried again at the next.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** The loader of `name`: the first call requires it, later calls return the same module. */
export function lazyPackage<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(name) as T);
}
