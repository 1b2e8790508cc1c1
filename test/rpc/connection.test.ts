import { describe, expect, it, vi } from 'vitest';
import { createBirpc } from 'birpc';
import { attachConnection, checkClientFrame } from '../../src-main/rpc/connection';
import type { ClientRpcFunctions, CoreRpcFunctions } from '../../src-main/contract/wire';
import { testCore } from '../helpers/core';

/** Two ends of an in-memory channel, like a window and the main process. */
function pipe() {
  let toCore: ((d: unknown) => void) | null = null;
  let toClient: ((d: unknown) => void) | null = null;
  return {
    core: { post: (d: unknown) => queueMicrotask(() => toClient?.(d)), on: (fn: (d: unknown) => void) => void (toCore = fn) },
    client: { post: (d: unknown) => queueMicrotask(() => toCore?.(d)), on: (fn: (d: unknown) => void) => void (toClient = fn) },
    rawToCore: (d: unknown) => toCore?.(d),
  };
}

describe('a client connection over birpc', () => {
  it('carries calls and pushes core events to the client', async () => {
    const core = testCore();
    const p = pipe();
    // The capabilities' own listeners (updates hears downloads, servers hear settings) stay; the connection's go.
    const before = core.events.size;
    const conn = attachConnection(core, p.core);
    const events: [string, unknown][] = [];
    const client = createBirpc<CoreRpcFunctions, ClientRpcFunctions>({ event: (n, payload) => void events.push([n, payload]) }, p.client);
    const r = await client.invoke('settings.get', {});
    expect(r.ok).toBe(true);
    await client.invoke('settings.update', { theme: 'dark' });
    await new Promise((res) => setTimeout(res, 10));
    expect(events.map(([n]) => n)).toContain('settings.changed');
    conn.close();
    expect(core.events.size).toBe(before);
  });

  it('drops malformed frames without throwing into the transport', async () => {
    const core = testCore();
    const p = pipe();
    attachConnection(core, p.core);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const frame of [null, 42, 'x', { t: 'q', m: 'invoke', a: 'no' }, { t: 'q', m: 'constructor', a: [] }, { t: 's', i: 'x' }]) {
      expect(() => p.rawToCore(frame)).not.toThrow();
    }
    await new Promise((res) => setTimeout(res, 10));
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('only accepts invoke requests', () => {
    expect(() => checkClientFrame({ t: 'q', m: 'invoke', a: ['app.info', {}], i: 'a1' })).not.toThrow();
    expect(() => checkClientFrame({ t: 'q', m: 'event', a: [] })).toThrow();
    expect(() => checkClientFrame({ t: 'q', m: 'invoke', a: [], i: 5 })).toThrow();
  });
});
