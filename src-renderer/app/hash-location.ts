/**
 * Routing in the URL's hash, with a query of its own: `#/gallery?q=llama&sort=likes`. wouter's own
 * hash hook puts a query in `location.search` (outside the hash), where it would outlive the page
 * it belongs to; here the path and its query travel together, so Back, Forward and reload keep a
 * page's state. Works the same under app:// and hubcap serve.
 */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

function subscribe(callback: () => void): () => void {
  if (listeners.size === 0) addEventListener('hashchange', notify);
  listeners.add(callback);
  return () => {
    listeners.delete(callback);
    if (listeners.size === 0) removeEventListener('hashchange', notify);
  };
}

function parts(): [path: string, search: string] {
  const hash = location.hash.replace(/^#?\/?/, '');
  const q = hash.indexOf('?');
  return q === -1 ? [`/${hash}`, ''] : [`/${hash.slice(0, q)}`, hash.slice(q + 1)];
}

/** The path the window shows now (`/cache/model:org/name`), outside React. */
export function currentPath(): string {
  return parts()[0];
}

export function navigate(to: string, { replace = false }: { replace?: boolean; state?: unknown } = {}): void {
  const url = new URL(location.href);
  url.hash = `/${to.replace(/^#?\/?/, '')}`;
  if (url.href === location.href) return;
  const oldURL = location.href;
  history[replace ? 'replaceState' : 'pushState'](null, '', url.href);
  dispatchEvent(new HashChangeEvent('hashchange', { oldURL, newURL: url.href }));
}

export function useHashLocation(): [string, typeof navigate] {
  return [useSyncExternalStore(subscribe, () => parts()[0]), navigate];
}
function useHashSearch(): string {
  return useSyncExternalStore(subscribe, () => parts()[1]);
}
useHashLocation.searchHook = useHashSearch;
useHashLocation.hrefs = (href: string): string => `#${href}`;
