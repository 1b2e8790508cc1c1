/**
 * Is the Hub reachable? One unauthenticated HEAD of the endpoint's root, at start and when the
 * user asks, never in offline mode. No token, no identifiers: this is the only request Hubcap
 * makes without being asked, and the Settings page says so. Between probes, the answers to the
 * requests Hubcap makes anyway keep it true (`observe`): a Hub answering 5xx shows as such.
 */
import type { HubReachability, HubStatus } from '../contract/hub';

export interface ReachabilityDeps {
  endpoint: () => string;
  offline: () => boolean;
  fetch: typeof fetch;
  onChange: (status: HubStatus) => void;
  timeoutMs?: number;
}

export class HubReachabilityMonitor {
  #deps: ReachabilityDeps;
  #status: HubStatus;
  #inFlight: Promise<HubStatus> | null = null;

  constructor(deps: ReachabilityDeps) {
    this.#deps = deps;
    this.#status = this.#make(deps.offline() ? 'offline-mode' : 'checking', null);
  }

  get status(): HubStatus {
    return this.#status;
  }

  check(): Promise<HubStatus> {
    if (this.#deps.offline()) {
      this.#set(this.#make('offline-mode', 'Offline mode is on: Hubcap makes no network requests.'));
      return Promise.resolve(this.#status);
    }
    this.#inFlight ??= this.#probe().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  async #probe(): Promise<HubStatus> {
    const endpoint = this.#deps.endpoint();
    try {
      const res = await this.#deps.fetch(`${endpoint}/`, {
        method: 'HEAD',
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#deps.timeoutMs ?? 5000),
      });
      if (res.status >= 500) this.#set(this.#make('server-error', `The Hub answered HTTP ${res.status}.`));
      else this.#set(this.#make('online', null));
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string }; code?: string };
      const reason = e.name === 'TimeoutError' ? 'no answer within 5 s' : (e.cause?.code ?? e.code ?? e.cause?.message ?? e.message);
      this.#set(this.#make('unreachable', `Cannot reach ${endpoint} (${reason}).`));
    }
    return this.#status;
  }

  /** What a request to the Hub just met: an answer (its status) or no answer at all. */
  observe(outcome: { status: number } | { unreachable: string }): void {
    if (this.#deps.offline()) return;
    const next =
      'status' in outcome
        ? outcome.status >= 500
          ? this.#make('server-error', `The Hub answered HTTP ${outcome.status} to the last request.`)
          : this.#make('online', null)
        : this.#make('unreachable', outcome.unreachable);
    // Only a change is news: a busy page makes many requests.
    if (next.reachability !== this.#status.reachability || next.detail !== this.#status.detail) this.#set(next);
  }

  #make(reachability: HubReachability, detail: string | null): HubStatus {
    return {
      reachability,
      endpoint: this.#deps.endpoint(),
      checkedAt: reachability === 'checking' ? null : new Date().toISOString(),
      detail,
      account: { signedIn: false },
    };
  }

  #set(status: HubStatus): void {
    this.#status = status;
    this.#deps.onChange(status);
  }
}
