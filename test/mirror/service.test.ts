/**
 * Settings › Share models on this network: the core's mirror follows the setting (off by default,
 * nothing made before it is turned on), gives the one line a client needs, pulls through as a job
 * on the Downloads page, counts what it served and fetched, says when the port is taken, and a new
 * key retires the old endpoint at once.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MirrorView } from '../../src-main/contract/mirror';
import { SettingsPatch } from '../../src-main/contract/settings';
import { CacheIndex } from '../../src-main/cache/index';
import { mirrorSlice } from '../../src-main/mirror/slice';
import { settingsHandlers } from '../../src-main/settings/handlers';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { standardRepos, TOKENS } from '../fakehub/fixtures';
import { built, place, settingsAt } from '../helpers/fakes';
import { hubHttp, manager } from '../helpers/hub';
import { testCore } from '../helpers/core';
import { memoryKeychain } from '../helpers/keychain';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const CONFIG = '{"model_type":"llama","v":2}';

/** The mirror slice from its needs: the real settings (stored values are checked), the cache index and a download engine on the fake Hub; no Core. */
function mirrorOn(fake: FakeHub) {
  const p = place({ HF_ENDPOINT: fake.url });
  const settings = settingsAt(p);
  const cache = new CacheIndex(() => settings.cacheDir());
  const { m: downloads } = manager(hubHttp(fake), { cacheDir: () => cache.root, onChange: (j) => j.state === 'done' && cache.invalidate() });
  const needs = { options: { dataDir: p.dataDir, env: p.env }, hf: p.hf, events: p.events, keychain: memoryKeychain(), settings, cache, downloads };
  const { service, handlers } = built(mirrorSlice, needs);
  mirrorSlice.background?.(service, needs);
  return { events: p.events, downloads, handlers: { ...handlers, ...settingsHandlers(settings) }, close: () => service.close() };
}

let hub: FakeHub | null = null;
afterEach(async () => {
  await hub?.close().catch(() => undefined);
  hub = null;
});

describe('mirror service (the Settings switch)', () => {
  it('is not started by a one-shot CLI command when a setting turns it on; a serving core starts it', async () => {
    const port = await freePort();
    // Following the settings makes the key before anything else: every queued step has run once the next macrotask comes.
    const afterQueued = () => new Promise((r) => setImmediate(r));
    const cli = testCore({ transport: 'cli' });
    try {
      await cli.handlers['settings.update']({ mirror: { enabled: true, port } });
      await afterQueued();
      expect(await cli.handlers['mirror.get']({})).toMatchObject({ enabled: true, running: false, key: null });
    } finally {
      await cli.close();
    }
    const serving = testCore();
    try {
      await serving.handlers['settings.update']({ mirror: { enabled: true, port } });
      await afterQueued();
      expect((await serving.handlers['mirror.get']({})).key).not.toBeNull();
      await expect.poll(async () => (await serving.handlers['mirror.get']({})).running).toBe(true);
    } finally {
      await serving.close();
    }
  });

  it('follows the setting: the endpoint line, a pull-through job on the Downloads page, the figures, a taken port, a new key', async () => {
    hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS });
    const core = mirrorOn(hub);
    try {
      const seen: MirrorView[] = [];
      core.events.on((name, payload) => {
        if (name === 'mirror.changed') seen.push(payload as MirrorView);
      });
      // Off by default, and no key is made before it is turned on.
      expect(await core.handlers['mirror.get']({})).toMatchObject({ enabled: false, running: false, endpoint: null, key: null, warning: null });
      const port = await freePort();
      await core.handlers['settings.update']({ mirror: { enabled: true, port } });
      await expect.poll(() => seen.at(-1)?.running).toBe(true);
      const view = await core.handlers['mirror.get']({});
      const { endpoint } = await core.handlers['mirror.endpoint']({});
      expect(endpoint).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/hc-[A-Za-z0-9_-]+$`));
      // The line shown has the key masked; the full one only when asked for.
      expect(view.endpoint).not.toBe(endpoint);
      expect(view.endpoint).toBe(endpoint.replace(endpoint.split('/').pop() as string, view.key?.masked as string));

      // A file the cache lacks: fetched once by the core's engine, a job like any other.
      const res = await fetch(`${endpoint}/acme/tiny-llm/resolve/main/config.json`);
      expect([res.status, await res.text()]).toEqual([200, CONFIG]);
      expect(core.downloads.list().map((j) => [j.request.repo, j.state])).toEqual([['acme/tiny-llm', 'done']]);
      await fetch(`${endpoint}/acme/tiny-llm/resolve/main/config.json`);
      await expect.poll(() => seen.at(-1)?.figures, { timeout: 10_000 }).toMatchObject({ bytesFromCache: CONFIG.length * 2, requests: 2 });
      expect(seen.at(-1)?.figures.bytesUpstream).toBeGreaterThan(0);

      // A new key: the old endpoint has nothing, the new one answers.
      await core.handlers['mirror.regenerateKey']({});
      expect((await fetch(`${endpoint}/acme/tiny-llm/resolve/main/config.json`)).status).toBe(404);
      const { endpoint: fresh } = await core.handlers['mirror.endpoint']({});
      expect((await fetch(`${fresh}/acme/tiny-llm/resolve/main/config.json`)).status).toBe(200);

      // Another program holds the next port: said in words, nothing thrown.
      const taken = net.createServer();
      const busy = await freePort();
      await new Promise<void>((r) => taken.listen(busy, '127.0.0.1', r));
      await core.handlers['settings.update']({ mirror: { port: busy } });
      await expect.poll(() => seen.at(-1)?.error).toMatch(new RegExp(`Port ${busy} is already in use`));
      expect(seen.at(-1)?.running).toBe(false);
      taken.close();

      // Every interface: the same warning serve --host gives.
      await core.handlers['settings.update']({ mirror: { host: '0.0.0.0', port } });
      await expect.poll(() => seen.at(-1)?.running).toBe(true);
      expect(seen.at(-1)?.warning).toBe('Listening on 0.0.0.0; anyone who can reach it and has the key can download what this cache holds.');

      await core.handlers['settings.update']({ mirror: { enabled: false } });
      await expect.poll(() => seen.at(-1)).toMatchObject({ enabled: false, running: false, error: null, endpoint: null });
      await expect(fetch(`${fresh}/acme/tiny-llm/resolve/main/config.json`)).rejects.toThrow();
      expect((await core.handlers['settings.get']({})).mirror).toEqual({ enabled: false, port, host: '0.0.0.0', rateLimit: 0, allow: '', pullThrough: true });
    } finally {
      await core.close();
    }
  }, 120_000);

  it('refuses an interface that is not an address, and a rate below zero', () => {
    expect(SettingsPatch.safeParse({ mirror: { host: 'evil.example; rm -rf' } }).success).toBe(false);
    expect(SettingsPatch.safeParse({ mirror: { rateLimit: -1 } }).success).toBe(false);
    expect(SettingsPatch.safeParse({ mirror: { host: '192.168.1.20', rateLimit: 50e6 } }).success).toBe(true);
  });
});
