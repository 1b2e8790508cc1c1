/**
 * The URL of the running CLI entry: `out/main/cli.js` in the build, where `inference-host.js`,
 * `publish-worker.js` and `../renderer/` are found. Handlers are imported when they run, so they may
 * sit in `out/main/chunks/`, and their own `import.meta.url` is no guide; `hubcap.ts` sets this
 * first. Tests that call `main()` from source keep this folder's, which is the entry's too.
 */
let entryUrl: string = import.meta.url;

export function setEntryUrl(url: string): void {
  entryUrl = url;
}

/** A path beside the entry (`./publish-worker.js`, `../renderer/`). */
export function besideEntry(relative: string): URL {
  return new URL(relative, entryUrl);
}
