/** The Hub: one HTTP client with the user's token, its reachability, and what the Gallery reads. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import type { AccountIdentity } from '../contract/account';
import type { HubStatus } from '../contract/hub';
import type { RepoRef } from '../contract/keys';
import type { ModelDetails } from '../contract/model';
import { hubHandlers } from './handlers';
import type { HfEnv } from './hf-env';
import { HubHttp } from './http';
import { nodeFetch } from './node-fetch';
import { HubReachabilityMonitor } from './reachability';
import type { TreeFile } from './tree';

export interface HubNeeds {
  options: { fetch?: typeof fetch | undefined; probeHubOnStart?: boolean | undefined };
  hf: HfEnv;
  events: EventBus;
  settings: { isOffline(): boolean };
  /** The token, and who it belongs to without probing the keychain (the status is rebuilt in every command). */
  account: { currentToken(): string | null; identity(): AccountIdentity | null };
  /** The cache keeps trees of the repos it holds, and answers model pages offline. */
  cache: {
    recordListing(repo: RepoRef, commit: string, files: TreeFile[]): void;
    offlineDetails(repo: RepoRef, revision: string, hubUrl: string): ModelDetails;
  };
}

export interface Hub {
  readonly http: HubHttp;
  readonly reachability: HubReachabilityMonitor;
  /** Reachability plus who is signed in (the status bar). */
  status(): HubStatus;
  check(): Promise<HubStatus>;
}

export const hubSlice = defineSlice({
  name: 'hub',
  needs: ['options', 'hf', 'events', 'settings', 'account', 'cache'],
  create(needs: HubNeeds): Hub {
    const { options, hf, events } = needs;
    const offline = () => needs.settings.isOffline();
    const reachability = new HubReachabilityMonitor({
      endpoint: () => hf.endpoint.url,
      offline,
      fetch: options.fetch ?? nodeFetch,
      onChange: () => events.emit('hub.status', hub.status()),
    });
    const http = new HubHttp({
      endpoint: hf.endpoint.url,
      token: () => needs.account.currentToken(),
      offline,
      timeoutMs: hf.downloadTimeoutMs,
      etagTimeoutMs: hf.etagTimeoutMs,
      onHubAnswer: (outcome) => reachability.observe(outcome),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const hub: Hub = {
      http,
      reachability,
      status: () => withAccount(reachability.status, needs.account.identity()),
      check: () => reachability.check(),
    };
    return hub;
  },
  handlers: (hub, { hf, cache }) =>
    hubHandlers({
      http: hub.http,
      status: () => hub.status(),
      check: () => hub.check(),
      // Only for repos already in the cache: browsing a model never creates a cache folder.
      onListing: (repo, commit, files) => cache.recordListing(repo, commit, files),
      offlineDetails: (repo, revision) => cache.offlineDetails(repo, revision, hf.endpoint.url),
    }),
  ready(hub, { options }) {
    if (options.probeHubOnStart !== false) void hub.check();
  },
});

function withAccount(status: HubStatus, current: AccountIdentity | null): HubStatus {
  const info = current?.info;
  return {
    ...status,
    account: current ? { signedIn: true, name: info?.user ?? `token from ${current.source}`, role: info?.role ?? 'unknown' } : { signedIn: false },
  };
}
