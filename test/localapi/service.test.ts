/** Settings › Local API: off by default, started and stopped by the setting, a taken port shown, the key regenerated. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { LibraryItem } from '../../src-main/contract/library';
import type { LocalApiView } from '../../src-main/contract/localapi';
import { maskKey } from '../../src-main/localapi/api-key';
import type { Env } from '../../src-main/hub/hf-env';
import { LocalApiService } from '../../src-main/localapi/service';
import { localApiSlice } from '../../src-main/localapi/slice';
import { settingsHandlers } from '../../src-main/settings/handlers';
import { built, inferenceAt, place, settingsAt } from '../helpers/fakes';
import { testCore } from '../helpers/core';
import { memoryKeychain } from '../helpers/keychain';

/** The Local API slice from fakes of its needs and the real settings (stored values are checked), started as a long-lived process starts it. */
function localApiOn(env: Env = {}) {
  const p = place(env);
  const settings = settingsAt(p);
  const needs = {
    options: { env: p.env },
    events: p.events,
    keychain: memoryKeychain(),
    settings,
    inference: inferenceAt(p, settings).service,
    library: { items: async () => [] },
  };
  const { service, handlers } = built(localApiSlice, needs);
  localApiSlice.background?.(service, needs);
  return { events: p.events, handlers: { ...handlers, ...settingsHandlers(settings) }, close: () => service.close() };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('local API service', () => {
  it('is not started by a one-shot CLI command when a setting turns it on; a serving core starts it', async () => {
    const port = await freePort();
    // Following the settings makes the key before anything else: every queued step has run once the next macrotask comes.
    const afterQueued = () => new Promise((r) => setImmediate(r));
    const cli = testCore({ transport: 'cli' });
    try {
      await cli.handlers['settings.update']({ localApi: { enabled: true, port } });
      await afterQueued();
      expect(await cli.handlers['localApi.get']({})).toMatchObject({ enabled: true, running: false, key: null });
    } finally {
      await cli.close();
    }
    const serving = testCore();
    try {
      await serving.handlers['settings.update']({ localApi: { enabled: true, port } });
      await afterQueued();
      expect((await serving.handlers['localApi.get']({})).key).not.toBeNull();
      await expect.poll(async () => (await serving.handlers['localApi.get']({})).running).toBe(true);
    } finally {
      await serving.close();
    }
  });

  it('follows the setting, says when the port is taken, and a new key retires the old one', async () => {
    const core = localApiOn();
    try {
      const seen: LocalApiView[] = [];
      core.events.on((name, payload) => {
        if (name === 'localApi.changed') seen.push(payload as LocalApiView);
      });
      // Nothing is made (no key in the keychain) until the API is turned on.
      expect(await core.handlers['localApi.get']({})).toMatchObject({ enabled: false, running: false, url: null, key: null });
      const port = await freePort();
      await core.handlers['settings.update']({ localApi: { enabled: true, port } });
      await expect.poll(() => seen.at(-1)?.running).toBe(true);
      const view = await core.handlers['localApi.get']({});
      expect(view.url).toBe(`http://127.0.0.1:${port}/v1`);
      expect(view.key?.masked).toMatch(/^hc-…|^hc-[A-Za-z0-9_-]{2}…/);
      const { key } = await core.handlers['localApi.key']({});
      expect((await fetch(`${view.url}/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
      await expect.poll(() => seen.at(-1)?.recent[0]).toMatchObject({ path: '/v1/models', status: 200 });

      await core.handlers['localApi.regenerateKey']({});
      expect((await fetch(`${view.url}/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
      const { key: fresh } = await core.handlers['localApi.key']({});
      expect((await fetch(`${view.url}/models`, { headers: { authorization: `Bearer ${fresh}` } })).status).toBe(200);

      // Another program holds the next port: said in words, nothing thrown.
      const taken = net.createServer();
      const busy = await freePort();
      await new Promise<void>((r) => taken.listen(busy, '127.0.0.1', r));
      await core.handlers['settings.update']({ localApi: { port: busy } });
      await expect.poll(() => seen.at(-1)?.error).toMatch(new RegExp(`Port ${busy} is already in use`));
      expect(seen.at(-1)?.running).toBe(false);
      taken.close();

      await core.handlers['settings.update']({ localApi: { enabled: false } });
      await expect.poll(() => seen.at(-1)).toMatchObject({ enabled: false, running: false, error: null });
      await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
      expect((await core.handlers['settings.get']({})).localApi).toEqual({ enabled: false, port: busy, exposed: false, corsOrigins: [], parallel: 'auto' });
    } finally {
      await core.close();
    }
  });

  it('cannot replace a key from HUBCAP_API_KEY, and says so instead of pretending', async () => {
    const core = localApiOn({ HUBCAP_API_KEY: 'hc-from-the-environment' });
    try {
      expect(await core.handlers['localApi.key']({})).toEqual({ key: 'hc-from-the-environment' });
      await expect(core.handlers['localApi.regenerateKey']({})).rejects.toMatchObject({
        code: 'NOT_AVAILABLE',
        message: expect.stringMatching(/HUBCAP_API_KEY/),
      });
      expect(await core.handlers['localApi.key']({})).toEqual({ key: 'hc-from-the-environment' });
      expect((await core.handlers['localApi.get']({})).key).toMatchObject({ source: 'HUBCAP_API_KEY' });
    } finally {
      await core.close();
    }
  });

  it('follows a key another process put in the keychain, and tells the page', () => {
    const keychain = memoryKeychain();
    const views: LocalApiView[] = [];
    const make = (onChange: (v: LocalApiView) => void) =>
      new LocalApiService({
        inference: {} as never,
        items: async () => [],
        keychain,
        env: {},
        settings: () => ({ enabled: false, port: 1, exposed: false, corsOrigins: [], parallel: 'auto' }),
        onChange,
        rereadMs: 0,
      });
    const desktop = make(() => {});
    const cli = make((v) => views.push(v));
    const first = cli.currentKey();
    expect(first).toMatchObject({ source: 'keychain' });
    expect(desktop.key().key).toBe(first.key);
    desktop.regenerate();
    const second = cli.currentKey().key;
    expect(second).not.toBe(first.key);
    expect(second).toBe(desktop.key().key);
    // One change told (the new key, masked), none for reading the same key again.
    expect(cli.currentKey().key).toBe(second);
    expect(views.map((v) => v.key?.masked)).toEqual([maskKey(second)]);
  });
});

describe('the model ids the Local API page lists', () => {
  it('are the ids /v1/models gives, the loaded one first and marked', async () => {
    const item = (key: string, name: string, repo: string | null): LibraryItem => ({
      key,
      source: key.startsWith('cache:') ? 'cache' : 'local',
      kind: 'gguf',
      name,
      path: `/m/${name}`,
      parts: 1,
      size: 1,
      summary: null,
      repo,
      revision: 'main',
      addedAt: null,
      lastUsed: null,
      missing: false,
      inHubcapFolder: false,
      foundIn: null,
      problem: null,
    });
    const cached = item(`cache:model:org/tiny@${'c'.repeat(40)}:tiny-Q4_K_M.gguf`, 'tiny-Q4_K_M.gguf', 'org/tiny');
    const local = item('local:0123456789abcdef', 'mine.gguf', null);
    const broken = { ...item('local:fedcba9876543210', 'broken.gguf', null), problem: 'not a GGUF' };
    const service = new LocalApiService({
      inference: { status: () => ({ model: { key: local.key } }) } as never,
      items: async () => [cached, local, broken],
      keychain: memoryKeychain(),
      env: {},
      settings: () => ({ enabled: false, port: 1, exposed: false, corsOrigins: [], parallel: 'auto' }),
      onChange: () => {},
    });
    expect(await service.models()).toEqual([
      { id: 'mine.gguf', key: local.key, name: 'mine.gguf', repo: null, loaded: true },
      { id: 'org/tiny/tiny-Q4_K_M.gguf', key: cached.key, name: 'tiny-Q4_K_M.gguf', repo: 'org/tiny', loaded: false },
    ]);
  });
});
