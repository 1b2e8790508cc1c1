import { describe, expect, it, vi } from 'vitest';
import { HubReachabilityMonitor } from '../../src-main/hub/reachability';

function monitor(fetchImpl: typeof fetch, offline = false) {
  const changes: string[] = [];
  const m = new HubReachabilityMonitor({
    endpoint: () => 'http://hub.test',
    offline: () => offline,
    fetch: fetchImpl,
    onChange: (s) => changes.push(s.reachability),
  });
  return { m, changes };
}

describe('hub reachability', () => {
  it('makes no request in offline mode', async () => {
    const f = vi.fn();
    const { m } = monitor(f as unknown as typeof fetch, true);
    expect((await m.check()).reachability).toBe('offline-mode');
    expect(f).not.toHaveBeenCalled();
  });

  it('sends one HEAD without credentials and reports online', async () => {
    const f = vi.fn(async (_url: string, _init?: RequestInit) => new Response(null, { status: 200 }));
    const { m, changes } = monitor(f as unknown as typeof fetch);
    expect((await m.check()).reachability).toBe('online');
    expect(f).toHaveBeenCalledTimes(1);
    const [url, init] = f.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('http://hub.test/');
    expect(init.method).toBe('HEAD');
    expect(init.headers).toBeUndefined();
    expect(changes).toEqual(['online']);
  });

  it('reports 5xx and network errors as unreachable with the reason', async () => {
    const down = monitor((async () => new Response(null, { status: 503 })) as unknown as typeof fetch);
    expect((await down.m.check()).detail).toMatch(/503/);
    const refused = monitor((async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as unknown as typeof fetch);
    const s = await refused.m.check();
    expect(s.reachability).toBe('unreachable');
    expect(s.detail).toMatch(/ECONNREFUSED/);
  });

  it('shares one probe between concurrent checks', async () => {
    const f = vi.fn(async () => new Response(null, { status: 204 }));
    const { m } = monitor(f as unknown as typeof fetch);
    await Promise.all([m.check(), m.check(), m.check()]);
    expect(f).toHaveBeenCalledTimes(1);
  });

  it('keeps the status true between probes from the answers other requests get, reporting only changes', async () => {
    const { m, changes } = monitor((async () => new Response(null, { status: 200 })) as unknown as typeof fetch);
    await m.check();
    m.observe({ status: 200 });
    m.observe({ status: 503 });
    m.observe({ status: 502 });
    expect(m.status).toMatchObject({ reachability: 'server-error', detail: expect.stringMatching(/HTTP 502/) });
    m.observe({ status: 404 });
    m.observe({ unreachable: 'Connection refused' });
    expect(changes).toEqual(['online', 'server-error', 'server-error', 'online', 'unreachable']);
  });

  it('observes nothing in offline mode', () => {
    const { m, changes } = monitor((async () => new Response(null)) as unknown as typeof fetch, true);
    m.observe({ status: 503 });
    expect(m.status.reachability).toBe('offline-mode');
    expect(changes).toEqual([]);
  });
});
