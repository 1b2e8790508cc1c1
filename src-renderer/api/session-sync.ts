/**
 * One source of truth for the session across pages. Answers that depend on who is signed in, on
 * offline mode or on whether the Hub answers are dropped the moment that changes, whichever page
 * is open: a page opened later asks again instead of showing what was true before (Publish saying
 * "Not signed in" after a sign-in, a model page still "offline" after offline mode went off).
 * Mounted once, in App.
 */
import { useEffect, useRef } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { HubReachability, HubStatus } from '../../src-main/contract/hub';
import type { SettingsView } from '../../src-main/contract/settings';
import { useApi } from './context';

/** Requests whose answer depends on the token: what publishing may do, gated pages, private results. */
const ACCOUNT_DEPENDENT = ['publish.access', 'publish.repos', 'gallery.model', 'gallery.search', 'gallery.fit'];
/** Requests whose answer depends on reaching the Hub (offline mode, or the Hub coming back). */
const HUB_DEPENDENT = ['gallery.model', 'gallery.search', 'gallery.fit', 'publish.access', 'publish.repos'];

function invalidate(client: QueryClient, names: string[]): void {
  for (const name of names) void client.invalidateQueries({ queryKey: [name] });
}

/** After a sign-in, a sign-out or a token switch: every answer that depended on the old token. */
export function forgetAccountAnswers(client: QueryClient): void {
  invalidate(client, ACCOUNT_DEPENDENT);
}

/**
 * Watches the query cache itself rather than the events: a change lands there from an event or
 * from a mutation's answer (whichever comes first), and is seen once either way.
 */
export function useSessionSync(): void {
  const api = useApi();
  const client = useQueryClient();
  const offline = useRef<boolean | null>(null);
  const reach = useRef<HubReachability | null>(null);
  useEffect(() => {
    const offAccount = api.on('account.changed', () => forgetAccountAnswers(client));
    const seen = () => {
      const settings = client.getQueryData<SettingsView>(['settings.get', {}]);
      if (settings) {
        const was = offline.current;
        offline.current = settings.offline.enabled;
        if (was !== null && was !== settings.offline.enabled) invalidate(client, HUB_DEPENDENT);
      }
      const status = client.getQueryData<HubStatus>(['hub.status', {}]);
      if (status) {
        const was = reach.current;
        reach.current = status.reachability;
        // The Hub is back: pages built from the cache, or left on an error, ask it again. (Going
        // away drops nothing: what is shown stays, and a new question falls back to the cache.)
        if (status.reachability === 'online' && was !== null && was !== 'online' && was !== 'checking') invalidate(client, HUB_DEPENDENT);
      }
    };
    seen();
    const offCache = client.getQueryCache().subscribe((e) => {
      const name = e.query.queryKey[0];
      if (e.type === 'updated' && (name === 'settings.get' || name === 'hub.status')) seen();
    });
    return () => {
      offAccount();
      offCache();
    };
  }, [api, client]);
}
