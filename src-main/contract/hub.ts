/** Whether the Hub answers, and who is signed in, as the status bar shows it. */
import { Empty, event, request } from './request';

/** `server-error`: the Hub answers, but with 5xx errors (its outage, not this machine's network). */
export type HubReachability = 'online' | 'server-error' | 'unreachable' | 'offline-mode' | 'checking';

export interface HubStatus {
  reachability: HubReachability;
  endpoint: string;
  checkedAt: string | null;
  detail: string | null;
  account: { signedIn: false } | { signedIn: true; name: string; role: string };
}

export const hubRequests = {
  'hub.status': request<HubStatus>()(Empty),
  'hub.checkNow': request<HubStatus>()(Empty),
} as const;

export const hubEvents = {
  'hub.status': event<HubStatus>(),
} as const;
