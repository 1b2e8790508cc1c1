/**
 * Building one capability without a Core: a throwaway home and data folder, the environment read
 * from them, an event bus, and each slice built from the needs it declares (the test passes fakes
 * or small real neighbours). What the service does is tested; the composition is `test/core/`'s.
 */
import path from 'node:path';
import type { Slice } from '../../src-main/base/slice';
import { EventBus } from '../../src-main/base/events';
import type { EventName, EventPayload } from '../../src-main/contract/api';
import type { Handlers } from '../../src-main/contract/handlers';
import { CacheIndex } from '../../src-main/cache/index';
import { cacheSlice } from '../../src-main/cache/slice';
import { HubHttp } from '../../src-main/hub/http';
import { readHfEnv, type Env, type HfEnv } from '../../src-main/hub/hf-env';
import { inferenceSlice, type InferenceNeeds } from '../../src-main/inference/slice';
import type { InferenceService } from '../../src-main/inference/service';
import { Library } from '../../src-main/library/library';
import { confBackend } from '../../src-main/settings/conf-backend';
import { SettingsService } from '../../src-main/settings/service';
import { dispatch } from '../../src-main/rpc/dispatch';
import { tmpDir } from './tmp';

/** Where one test's services live: a home, a data folder, the environment as read from them, a bus. */
export interface Place {
  home: string;
  dataDir: string;
  env: Env;
  hf: HfEnv;
  events: EventBus;
}

/** A fresh place; HF_ENDPOINT points nowhere unless the test says where. */
export function place(env: Env = {}, home = tmpDir('hubcap-home-')): Place {
  const full = { HF_ENDPOINT: 'http://127.0.0.1:1', ...env };
  return { home, dataDir: path.join(home, 'data'), env: full, hf: readHfEnv(full, home), events: new EventBus() };
}

/** The settings service on the place's data folder (stored settings are the thing some tests check), telling the bus of changes. */
export function settingsAt(p: Place): SettingsService {
  return new SettingsService({
    dataDir: p.dataDir,
    homeDir: p.home,
    backend: confBackend,
    hf: p.hf,
    onChange: (view) => p.events.emit('settings.changed', view),
  });
}

/** The cache index of the settings' cache folder, and the Library over it. */
export function libraryAt(p: Place, settings: Pick<SettingsService, 'cacheDir'>): { cache: CacheIndex; library: Library } {
  const cache = new CacheIndex(() => settings.cacheDir());
  return { cache, library: new Library({ dataDir: p.dataDir, cache }) };
}

/** One slice built from the needs it declares: its service and its part of the handlers. */
export function built<N, S, H extends Partial<Handlers>>(slice: Slice<string, N, S, H>, needs: N): { service: S; handlers: H } {
  const service = slice.create(needs);
  return { service, handlers: slice.handlers?.(service, needs) ?? ({} as H) };
}

/** A handler table of the parts a test built, for `dispatch` (a request nobody built answers as unknown). */
export function handlerTable(...parts: Partial<Handlers>[]): Handlers {
  return Object.assign({}, ...parts) as Handlers;
}

/** Calls a request through `dispatch` (validation included); a failure throws with its code and details. */
export function caller(handlers: Handlers) {
  return async <T>(method: string, input: unknown): Promise<T> => {
    const r = await dispatch(handlers, method, input);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code, details: r.error.details });
    return r.value as T;
  };
}

/** Every payload of one event the bus carries from now on. */
export function recorded<K extends EventName>(events: EventBus, name: K): EventPayload<K>[] {
  const seen: EventPayload<K>[] = [];
  events.when(name, (payload) => seen.push(payload));
  return seen;
}

/** A Hub client that makes no request: offline, as a test that never reaches the Hub wants it. */
export function offlineHttp(p: Place): HubHttp {
  return new HubHttp({ endpoint: p.hf.endpoint.url, token: () => null, offline: () => true });
}

/** A need a test does not reach: it fails loudly if it ever is. */
export function unused(): never {
  throw new Error('this test did not expect that need to be used');
}

/**
 * The inference slice over the given Library; without a launcher in the options it is a build
 * without the host: status, parallel sequences and refusals are real, a load that gets past the
 * checks says it is not available.
 */
export function inferenceAt(
  p: Place,
  settings: Pick<SettingsService, 'get'>,
  library: Pick<Library, 'runnable' | 'markUsed'> = { runnable: unused, markUsed: unused },
  options: InferenceNeeds['options'] = {},
): { service: InferenceService; handlers: Partial<Handlers> } {
  return built(inferenceSlice, { options, events: p.events, settings, library, hub: { http: offlineHttp(p) } });
}

/** The cache slice on its own: the real settings, no download running, no export, no model loaded, the Hub out of reach. */
export function cacheAt(p: Place, settings: SettingsService = settingsAt(p)) {
  const { service, handlers } = built(cacheSlice, {
    options: { dataDir: p.dataDir, env: p.env },
    hf: p.hf,
    settings,
    hub: { http: offlineHttp(p) },
    downloads: { activeSnapshotDirs: () => [], add: unused, list: () => [] },
    exports: { outsideUses: () => [], cacheMoved: async () => ({ repointed: 0, failed: [] }) },
    inference: { status: () => ({ model: null }) },
  });
  return { index: service, handlers, settings };
}

/** A Hub client whose every request is answered by `respond` (no server): for modules that read one or two Hub answers. */
export function hubAnswering(respond: (url: URL, init: RequestInit | undefined) => Response, opts: { endpoint?: string; token?: string | null } = {}) {
  const asked: URL[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    asked.push(url);
    return respond(url, init);
  }) as typeof fetch;
  const http = new HubHttp({ endpoint: opts.endpoint ?? 'https://hub.example', token: () => opts.token ?? null, offline: () => false, fetch: fetchFn });
  return { http, asked };
}

/** A JSON answer, with headers (a Link to the next page…). */
export const json = (body: unknown, headers: Record<string, string> = {}, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
