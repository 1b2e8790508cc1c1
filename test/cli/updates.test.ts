/** `hubcap updates / update / pin / unpin` as real processes against fakehub (#26). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, runCli as run } from '../helpers/cli';
import { fakeHub } from '../helpers/hub';
import { buildRepo } from '../fakehub/model';
import { ggufWithTemplate as xetGguf } from '../fakehub/xet/delta';
import { ggufWithTemplate } from '../updates/setup';

describe('hubcap updates', () => {
  it('checks, says what changed, updates, pins; offline it only shows the last check', async () => {
    const hub = await fakeHub();
    hub.addRepo(buildRepo({ id: 'acme/chat-llm', commits: [{ files: { 'model.gguf': ggufWithTemplate('old {{ x }}'), 'config.json': '{"v":1}' } }] }));
    const env = cliEnv(hub.url);
    expect((await run(['download', 'acme/chat-llm'], env)).code).toBe(0);
    const fresh = await run(['updates'], env);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/acme\/chat-llm {2}main {2}up to date at [0-9a-f]{8}/);

    const pushed = hub.push('acme/chat-llm', { title: 'New chat template', files: { 'model.gguf': ggufWithTemplate('new {{ x }} {{ y }}') } });
    const json = await run(['updates', 'acme/chat-llm', '--json'], env);
    const view = JSON.parse(json.stdout) as {
      repos: { branches: { state: string; headCommit: string }[] }[];
      details: Record<string, { commits: { title: string }[]; files: { path: string; gguf?: { key: string }[] }[] }>;
    };
    expect(view.repos[0]?.branches[0]).toMatchObject({ state: 'available', headCommit: pushed.sha });
    const d = view.details['model:acme/chat-llm'];
    expect(d?.commits.map((c) => c.title)).toEqual(['New chat template']);
    expect(d?.files.find((f) => f.path === 'model.gguf')?.gguf?.map((g) => g.key)).toEqual(['tokenizer.chat_template']);
    const text = await run(['updates', 'acme/chat-llm'], env);
    expect(text.stdout).toMatch(/update available .* \(1 new commit\.\)/);
    expect(text.stdout).toMatch(/1 file changed · .* new revision · .* to download/);
    expect(text.stdout).toMatch(/tokenizer\.chat_template: changed/);

    const upd = await run(['update', 'acme/chat-llm'], env);
    expect(upd.code).toBe(0);
    expect(upd.stdout).toMatch(new RegExp(`Updated main to ${pushed.sha.slice(0, 8)}; the previous revision [0-9a-f]{8} is kept`));
    expect((await run(['updates'], env)).stdout).toMatch(new RegExp(`up to date at ${pushed.sha.slice(0, 8)}`));

    hub.push('acme/chat-llm', { files: { 'config.json': '{"v":2}' } });
    expect((await run(['pin', 'acme/chat-llm'], env)).stdout).toMatch(/pinned at/);
    expect((await run(['updates'], env)).stdout).toMatch(/acme\/chat-llm {2}pinned at [0-9a-f]{8}/);
    const refused = await run(['update', 'acme/chat-llm'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/pinned/);
    expect((await run(['unpin', 'acme/chat-llm'], env)).code).toBe(0);

    const before = hub.log.length;
    const offline = await run(['updates'], { ...env, HF_HUB_OFFLINE: '1' });
    expect(offline.code).toBe(0);
    expect(offline.stderr).toMatch(/Offline mode is on: showing the last check/);
    expect(hub.log.length).toBe(before);
  }, 300_000);

  it('a force-pushed branch is refused without --allow-force-pushed', async () => {
    const hub = await fakeHub();
    hub.addRepo(buildRepo({ id: 'acme/chat-llm', commits: [{ files: { 'config.json': '{"v":1}' } }, { files: { 'config.json': '{"v":2}' } }] }));
    const env = cliEnv(hub.url);
    expect((await run(['download', 'acme/chat-llm'], env)).code).toBe(0);
    const first = hub.repos.get('model:acme/chat-llm')?.commits[0]?.sha as string;
    hub.push('acme/chat-llm', { files: { 'config.json': '{"v":3}' } }, { onto: first });
    expect((await run(['updates'], env)).stdout).toMatch(/main {2}force-pushed/);
    const refused = await run(['update', 'acme/chat-llm'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/force-pushed/);
    expect((await run(['update', 'acme/chat-llm', '--allow-force-pushed'], env)).code).toBe(0);
  }, 180_000);

  it('update --json names an old copy that no longer matches its sha256 (nothing reused from it)', async () => {
    const size = 4 << 20;
    const hub = await fakeHub({ storageHost: '127.0.0.2', xet: {} });
    hub.addRepo(buildRepo({ id: 'acme/xet-llm', commits: [{ files: { 'model.gguf': xetGguf(size, '{{ old }}') } }] }));
    const env = cliEnv(hub.url);
    expect((await run(['download', 'acme/xet-llm'], env)).code).toBe(0);
    const blobs = path.join(env.HF_HUB_CACHE, 'models--acme--xet-llm', 'blobs');
    const blob = path.join(blobs, fs.readdirSync(blobs)[0] as string);
    const fd = fs.openSync(blob, 'r+');
    fs.writeSync(fd, Buffer.from('corrupt'), 0, 7, size / 2);
    fs.closeSync(fd);
    hub.push('acme/xet-llm', { files: { 'model.gguf': xetGguf(size, '{{ new }}') } });
    const upd = await run(['update', 'acme/xet-llm', '--json'], env);
    expect(upd.code, upd.stderr).toBe(0);
    expect((JSON.parse(upd.stdout) as { staleSources: Record<string, string[]> }).staleSources).toEqual({ 'model.gguf': [blob] });
  }, 180_000);
});
