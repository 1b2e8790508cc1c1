import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheIndex } from '../../src-main/cache/index';
import { repoDir } from '../../src-main/cache/layout';
import { ApiError } from '../../src-main/contract/errors';
import type { FoundModel } from '../../src-main/contract/apps';
import { hasUpdate } from '../../src-main/contract/present/updates';
import { buildRepo } from '../fakehub/model';
import { TOKENS } from '../fakehub/fixtures';
import { fakeHub } from '../helpers/hub';
import { ggufWithTemplate, setup } from './setup';

const KEY = 'model:acme/chat-llm';
const OLD_TEMPLATE = '{% for m in messages %}{{ m.content }}{% endfor %}';
const NEW_TEMPLATE = '{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}';

function chatRepo() {
  return buildRepo({
    id: 'acme/chat-llm',
    commits: [{ title: 'Initial upload', files: { 'model.gguf': ggufWithTemplate(OLD_TEMPLATE), 'config.json': '{"v":1}', 'README.md': '# chat\n' } }],
    refs: { 'v1.0': 0 },
  });
}

async function withChatRepo(opts: { token?: string } = {}) {
  const hub = await fakeHub();
  hub.addRepo(chatRepo());
  const s = setup(hub, opts);
  const job = await s.fetchRepo('acme/chat-llm');
  expect(job.state).toBe('done');
  return { hub, s, first: job.commit as string };
}

const branch = (view: Awaited<ReturnType<ReturnType<typeof setup>['svc']['check']>>, key = KEY, name = 'main') =>
  view.repos.find((r) => r.repo === key)?.branches.find((b) => b.branch === name);

describe('model updates', () => {
  it('detects a moved branch, says what changed (commits, files, GGUF metadata, bytes), updates and moves the ref only at the end', async () => {
    const { hub, s, first } = await withChatRepo();
    let view = await s.svc.check();
    expect(branch(view)?.state).toBe('up-to-date');
    expect(view.lastCheckedAt).not.toBeNull();

    const pushed = hub.push('acme/chat-llm', {
      title: 'Fix chat template',
      files: { 'model.gguf': ggufWithTemplate(NEW_TEMPLATE), 'tokenizer.json': '{"t":1}' },
    });
    view = await s.svc.check();
    expect(branch(view)).toMatchObject({ state: 'available', cachedCommit: first, headCommit: pushed.sha, message: '1 new commit.' });
    expect(hasUpdate(view.repos.find((r) => r.repo === KEY) as never)).toBe(true);
    // The tag the cache also holds is not followed.
    expect(view.repos.find((r) => r.repo === KEY)?.notFollowed).toEqual([]);

    const d = await s.svc.details(KEY);
    expect(d.commits.map((c) => c.title)).toEqual(['Fix chat template']);
    expect(d.diverged).toBe(false);
    const gguf = d.files.find((f) => f.path === 'model.gguf');
    expect(gguf).toMatchObject({ change: 'changed', selected: true });
    expect(gguf?.gguf?.[0]).toMatchObject({ key: 'tokenizer.chat_template', change: 'changed', before: OLD_TEMPLATE, after: NEW_TEMPLATE });
    expect(d.files.find((f) => f.path === 'tokenizer.json')).toMatchObject({ change: 'added', oldSize: null, newSize: 7, selected: true });
    expect(d.files.find((f) => f.path === 'config.json')).toMatchObject({ change: 'same' });
    // Only the changed GGUF and the new file travel; config and README are held.
    const ggufSize = ggufWithTemplate(NEW_TEMPLATE).length;
    expect(d.bytesToTravel).toBe(ggufSize + 7);
    expect(d.estimate).toBe('whole-files');
    expect(d.summary).toMatch(/^2 files changed · .* new revision · .* to download$/);

    const running = await s.svc.apply(KEY);
    expect(running.running?.to).toBe(pushed.sha);
    await s.idle();
    expect(s.ref('acme/chat-llm')).toBe(pushed.sha);
    const after = s.svc.view().repos.find((r) => r.repo === KEY);
    expect(after?.running).toBeNull();
    expect(after?.branches[0]).toMatchObject({ state: 'up-to-date', cachedCommit: pushed.sha });
    // The previous revision stays, removable with its exact bytes.
    expect(after?.previous).toEqual([first]);
    const dir = repoDir(s.cache, { type: 'model', id: 'acme/chat-llm' });
    expect(fs.existsSync(path.join(dir, 'snapshots', first, 'model.gguf'))).toBe(true);
    const plan = await s.svc.planRemovePrevious(KEY, first);
    expect(plan.freedBytes).toBe(ggufWithTemplate(OLD_TEMPLATE).length);
  });

  it('never removes a revision a loaded model runs from (named in the preview), and removes it once unloaded', async () => {
    const { hub, s, first } = await withChatRepo();
    hub.push('acme/chat-llm', { files: { 'model.gguf': ggufWithTemplate(NEW_TEMPLATE) } });
    await s.svc.check();
    await s.svc.apply(KEY);
    await s.idle();
    const dir = repoDir(s.cache, { type: 'model', id: 'acme/chat-llm' });
    const old = path.join(dir, 'snapshots', first, 'model.gguf');
    const running = { name: 'Tiny chat', revision: `acme/chat-llm@${first.slice(0, 8)}` };
    // Loaded from the old snapshot's file, or from its blob (what the link leads to): the cache's check sees both.
    for (const file of [old, fs.realpathSync(old)]) {
      s.loaded.splice(0, s.loaded.length, { path: file, name: 'Tiny chat' });
      expect((await s.svc.planRemovePrevious(KEY, first)).loaded).toEqual([running]);
      await expect(s.svc.removePrevious(KEY, first)).rejects.toMatchObject({
        code: 'BUSY',
        message: expect.stringMatching(/^Tiny chat is loaded .* from acme\/chat-llm@/),
      });
      expect(fs.existsSync(old)).toBe(true);
    }
    // The new revision loaded instead: the old one goes.
    s.loaded.splice(0, s.loaded.length, { path: path.join(dir, 'snapshots', s.ref('acme/chat-llm'), 'model.gguf'), name: 'Tiny chat' });
    expect((await s.svc.planRemovePrevious(KEY, first)).loaded).toBeUndefined();
    const freed = await s.svc.removePrevious(KEY, first);
    expect(freed.freedBytes).toBe(ggufWithTemplate(OLD_TEMPLATE).length);
    expect(fs.existsSync(path.join(dir, 'snapshots', first))).toBe(false);
    expect(s.svc.view().repos.find((r) => r.repo === KEY)?.previous).toEqual([]);
  });

  it('drops the previous revision by itself when asked to, unless a model runs from it', async () => {
    const { hub, s, first } = await withChatRepo();
    s.svc.setPreferences({ keepPrevious: false });
    hub.push('acme/chat-llm', { files: { 'model.gguf': ggufWithTemplate(NEW_TEMPLATE) } });
    const dir = repoDir(s.cache, { type: 'model', id: 'acme/chat-llm' });
    s.loaded.push({ path: path.join(dir, 'snapshots', first, 'model.gguf'), name: 'Tiny chat' });
    await s.svc.apply(KEY);
    await s.idle();
    await expect.poll(() => s.svc.view().repos.find((r) => r.repo === KEY)?.lastError).toMatch(/^The previous revision was kept: Tiny chat is loaded/);
    expect(fs.existsSync(path.join(dir, 'snapshots', first, 'model.gguf'))).toBe(true);
  });

  it('a pinned repo is not checked and shows no update; unpinned it is', async () => {
    const { hub, s, first } = await withChatRepo();
    hub.push('acme/chat-llm', { files: { 'config.json': '{"v":2}' } });
    const pinned = s.svc.pin(KEY, true);
    expect(pinned.pinned).toBe(first);
    const before = hub.log.length;
    const view = await s.svc.check();
    expect(hub.log.slice(before).some((r) => r.url.includes('chat-llm'))).toBe(false);
    expect(hasUpdate(view.repos.find((r) => r.repo === KEY) as never)).toBe(false);
    await expect(s.svc.apply(KEY)).rejects.toMatchObject({ code: 'CONFLICT' });
    s.svc.pin(KEY, false);
    expect(branch(await s.svc.check())?.state).toBe('available');
  });

  it('a tag is not followed; a branch the Hub deleted says so', async () => {
    const { hub, s } = await withChatRepo();
    await s.fetchRepo('acme/chat-llm', { revision: 'v1.0' });
    const repo = hub.repos.get('model:acme/chat-llm');
    repo?.refs.set('dev', repo.commits[0]?.sha as string);
    await s.fetchRepo('acme/chat-llm', { revision: 'dev' });
    repo?.refs.delete('dev');
    const view = await s.svc.check();
    const r = view.repos.find((x) => x.repo === KEY);
    expect(r?.notFollowed).toEqual(['v1.0 is a tag']);
    expect(r?.branches.find((b) => b.branch === 'dev')).toMatchObject({ state: 'branch-gone' });
    expect(r?.branches.find((b) => b.branch === 'main')).toMatchObject({ state: 'up-to-date' });
  });

  it('a force-pushed branch is diverged: refused unless asked, then updated anyway', async () => {
    const { hub, s, first } = await withChatRepo();
    const second = hub.push('acme/chat-llm', { files: { 'config.json': '{"v":2}' } });
    await s.svc.apply(KEY);
    await s.idle();
    expect(s.ref('acme/chat-llm')).toBe(second.sha);
    // History rewritten: a new head built on the first commit, skipping the one we have.
    const forced = hub.push('acme/chat-llm', { title: 'Rewrite', files: { 'config.json': '{"v":3}' } }, { onto: first });
    const view = await s.svc.check();
    expect(branch(view)).toMatchObject({ state: 'diverged', headCommit: forced.sha });
    expect(branch(view)?.message).toMatch(/force-pushed/);
    const d = await s.svc.details(KEY);
    expect(d.diverged).toBe(true);
    expect(d.commitsComplete).toBe(false);
    await expect(s.svc.apply(KEY)).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/force-pushed/) });
    expect(s.ref('acme/chat-llm')).toBe(second.sha);
    await s.svc.apply(KEY, { allowDiverged: true });
    await s.idle();
    expect(s.ref('acme/chat-llm')).toBe(forced.sha);
  });

  it('a deleted repo is "gone" and nothing of the cache is lost', async () => {
    const { hub, s, first } = await withChatRepo();
    hub.removeRepo('acme/chat-llm');
    const view = await s.svc.check();
    expect(branch(view)).toMatchObject({ state: 'gone' });
    expect(s.ref('acme/chat-llm')).toBe(first);
    const dir = repoDir(s.cache, { type: 'model', id: 'acme/chat-llm' });
    expect(fs.readdirSync(path.join(dir, 'snapshots', first)).sort()).toEqual(['README.md', 'config.json', 'model.gguf']);
  });

  it('a repo gated after the push: details and update say so, the ref stays', async () => {
    const { hub, s, first } = await withChatRepo();
    hub.push('acme/chat-llm', { files: { 'model.gguf': ggufWithTemplate(NEW_TEMPLATE) } });
    hub.gate('acme/chat-llm', 'manual');
    await s.svc.check();
    // The GGUF header of the new revision is behind the gate: its metadata cannot be compared, said per file.
    const d = await s.svc.details(KEY);
    expect(d.files.find((f) => f.path === 'model.gguf')?.ggufNote).toMatch(/restricted|log in|access/i);
    await s.svc.apply(KEY);
    await s.idle();
    const r = s.svc.view().repos.find((x) => x.repo === KEY);
    expect(r?.lastError).toMatch(/did not finish.*still points at the revision you had/);
    expect(s.ref('acme/chat-llm')).toBe(first);
  });

  it('a renamed file is a rename (same bytes), fetched under its new name without travelling', async () => {
    const { hub, s } = await withChatRepo();
    const pushed = hub.push('acme/chat-llm', { files: { 'chat-llm-Q4.gguf': ggufWithTemplate(OLD_TEMPLATE) }, deleted: ['model.gguf'] });
    const d = await s.svc.details(KEY);
    expect(d.files.find((f) => f.path === 'chat-llm-Q4.gguf')).toMatchObject({ change: 'renamed', from: 'model.gguf', selected: true });
    expect(d.files.some((f) => f.path === 'model.gguf')).toBe(false);
    expect(d.bytesToTravel).toBe(0);
    await s.svc.apply(KEY);
    await s.idle();
    expect(s.ref('acme/chat-llm')).toBe(pushed.sha);
    const dir = repoDir(s.cache, { type: 'model', id: 'acme/chat-llm' });
    expect(fs.existsSync(path.join(dir, 'snapshots', pushed.sha, 'chat-llm-Q4.gguf'))).toBe(true);
  });

  it('a Hub answering 429 is waited out (Retry-After); one that keeps answering 429 gives "rate-limited"', async () => {
    const { hub, s } = await withChatRepo();
    hub.faults.add({ kind: 'status', status: 429, retryAfter: 1, origin: 'api', pathIncludes: '/refs', times: 1 });
    const t0 = Date.now();
    expect(branch(await s.svc.check())?.state).toBe('up-to-date');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    hub.faults.add({ kind: 'status', status: 429, retryAfter: 0, origin: 'api', pathIncludes: '/refs', times: 10 });
    const b = branch(await s.svc.check());
    expect(b).toMatchObject({ state: 'rate-limited' });
    expect(b?.message).toMatch(/slow down/);
  });

  it('asks anonymously, and with the token only for a repo that needs it', async () => {
    const hub = await fakeHub();
    hub.addRepo(chatRepo());
    const token = Object.keys(TOKENS).find((t) => TOKENS[t]?.user === 'alice') as string;
    const s = setup(hub, { token });
    await s.fetchRepo('acme/chat-llm');
    await s.fetchRepo('alice/secret-llm');
    const before = hub.log.length;
    const view = await s.svc.check();
    expect(branch(view, 'model:alice/secret-llm')?.state).toBe('up-to-date');
    const refs = hub.log.slice(before).filter((r) => r.url.endsWith('/refs'));
    expect(refs.filter((r) => r.url.includes('chat-llm')).every((r) => !r.headers.authorization)).toBe(true);
    expect(refs.some((r) => r.url.includes('secret-llm') && r.headers.authorization)).toBe(true);
    // Remembered: the next check asks the private repo with the token straight away, once.
    const again = hub.log.length;
    await s.svc.check();
    expect(hub.log.slice(again).filter((r) => r.url.includes('secret-llm/refs'))).toHaveLength(1);
  });

  it('offline: no check, no request, and it says so', async () => {
    const { hub, s } = await withChatRepo();
    s.offline.on = true;
    const before = hub.log.length;
    await expect(s.svc.check()).rejects.toBeInstanceOf(ApiError);
    await expect(s.svc.check()).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(hub.log.length).toBe(before);
    expect(s.svc.view().offline).toBe(true);
  });

  it('remembers checks and preferences across restarts', async () => {
    const { hub, s } = await withChatRepo();
    hub.push('acme/chat-llm', { files: { 'config.json': '{"v":2}' } });
    const checked = await s.svc.check();
    s.svc.setPreferences({ daily: true, keepPrevious: false });
    const index = new CacheIndex(() => s.cache);
    const restarted = setup(hub, { deps: { dataDir: s.dataDir, scan: (fresh) => index.scan(fresh) } }).svc.view();
    expect(restarted).toMatchObject({ daily: true, keepPrevious: false, lastCheckedAt: checked.lastCheckedAt });
    expect(branch(restarted)?.state).toBe('available');
  });
  it('the daily background check runs only when allowed, at most once a day, never offline', async () => {
    const { hub, s } = await withChatRepo();
    const refsAsked = () => hub.log.filter((r) => r.url.endsWith('/refs')).length;
    s.svc.startBackground(50);
    try {
      // Ticks every 50 ms: 300 ms is six chances to ask. Not allowed yet: nothing asked.
      const ticks = () => new Promise((r) => setTimeout(r, 300));
      await ticks();
      expect(refsAsked()).toBe(0);
      s.offline.on = true;
      s.svc.setPreferences({ daily: true });
      const offlineSince = hub.log.length;
      await ticks();
      expect(hub.log.length).toBe(offlineSince);
      s.offline.on = false;
      await expect.poll(() => s.svc.view().lastCheckedAt, { timeout: 10_000 }).not.toBeNull();
      const after = refsAsked();
      expect(after).toBe(1);
      // Checked less than a day ago: the next ticks ask nothing.
      await ticks();
      expect(refsAsked()).toBe(after);
    } finally {
      s.svc.close();
    }
  });
  it("other apps' models with a known Hub origin are checked against main: changed, removed, gone", async () => {
    const hub = await fakeHub();
    hub.addRepo(chatRepo());
    const sha = createHash('sha256').update(ggufWithTemplate(OLD_TEMPLATE)).digest('hex');
    const found = (repo: string, file: string): FoundModel => ({
      app: 'lm-studio',
      path: `/models/${repo}/${file}`,
      name: file,
      format: 'gguf',
      size: 1,
      summary: null,
      problem: null,
      hint: { repo, file, quant: null, from: 'path' },
      sha256: sha,
      libraryKey: null,
    });
    const models = [found('acme/chat-llm', 'model.gguf'), found('acme/chat-llm', 'config.json'), found('acme/gone-llm', 'model.gguf')];
    const s = setup(hub, { deps: { found: () => models } });
    const states = async () => Object.fromEntries((await s.svc.check()).found.map((f) => [`${f.repo}/${f.file}`, f.state]));
    expect(await states()).toEqual({ 'acme/chat-llm/model.gguf': 'up-to-date', 'acme/chat-llm/config.json': 'changed', 'acme/gone-llm/model.gguf': 'gone' });
    hub.push('acme/chat-llm', { files: { 'model.gguf': ggufWithTemplate(NEW_TEMPLATE) }, deleted: ['config.json'] });
    expect(await states()).toMatchObject({ 'acme/chat-llm/model.gguf': 'changed', 'acme/chat-llm/config.json': 'removed' });
  });
});
