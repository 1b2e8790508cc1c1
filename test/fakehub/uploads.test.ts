/** The fake Hub's write side at the protocol level: the answers the real Hub gives to each client mistake. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TOKENS } from './fixtures';
import { fakeHub } from '../helpers/hub';

const [ALICE_READ, BOB_WRITE] = Object.keys(TOKENS) as [string, string];
const auth = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json' });
const ndjson = (lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n');

describe('fakehub uploads', () => {
  it('creates repos with the Hub’s name rules, refuses duplicates (409) and read tokens (403)', async () => {
    const hub = await fakeHub();
    const create = (token: string, body: object) => fetch(`${hub.url}/api/repos/create`, { method: 'POST', headers: auth(token), body: JSON.stringify(body) });
    const ok = await create(BOB_WRITE, { name: 'new-model', private: true });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ name: 'bob/new-model', url: `${hub.url}/bob/new-model` });
    expect((await create(BOB_WRITE, { name: 'new-model' })).status).toBe(409);
    expect((await create(BOB_WRITE, { name: 'bad--name' })).status).toBe(400);
    expect((await create(BOB_WRITE, { name: 'x', organization: 'zed' })).status).toBe(403);
    expect((await create(ALICE_READ, { name: 'mine' })).status).toBe(403);
    // Private by request, and visible to its owner only.
    expect((await fetch(`${hub.url}/api/models/bob/new-model`)).status).toBe(401);
    expect((await fetch(`${hub.url}/api/models/bob/new-model`, { headers: auth(BOB_WRITE) })).status).toBe(200);
  });

  it('preupload gives upload modes and the oids of what is there; commit checks parentCommit, LFS pointers and opens PRs', async () => {
    const hub = await fakeHub();
    const pre = await fetch(`${hub.url}/api/models/acme/tiny-llm/preupload/main`, {
      method: 'POST',
      headers: auth(BOB_WRITE),
      body: JSON.stringify({
        files: [
          { path: 'config.json', size: 10, sample: '' },
          { path: 'tiny-llm-Q4_K_M.gguf', size: 5, sample: '' },
          { path: 'new.txt', size: 3, sample: Buffer.from('abc').toString('base64') },
        ],
      }),
    });
    const answer = (await pre.json()) as { files: { path: string; uploadMode: string; oid?: string; shouldIgnore: boolean }[]; commitOid: string };
    const repo = hub.repos.get('model:acme/tiny-llm');
    const head = repo?.commits.at(-1);
    expect(answer.commitOid).toBe(head?.sha);
    expect(answer.files).toEqual([
      { path: 'config.json', uploadMode: 'regular', shouldIgnore: false, oid: head?.files.get('config.json')?.oid },
      { path: 'tiny-llm-Q4_K_M.gguf', uploadMode: 'lfs', shouldIgnore: false, oid: head?.files.get('tiny-llm-Q4_K_M.gguf')?.sha256 },
      { path: 'new.txt', uploadMode: 'regular', shouldIgnore: false },
    ]);

    const commit = (lines: object[], query = '') =>
      fetch(`${hub.url}/api/models/acme/tiny-llm/commit/main${query}`, {
        method: 'POST',
        headers: { ...auth(BOB_WRITE), 'content-type': 'application/x-ndjson' },
        body: ndjson(lines),
      });
    const stale = await commit([{ key: 'header', value: { summary: 'x', parentCommit: repo?.commits[0]?.sha } }]);
    expect(stale.status).toBe(412);
    const missing = await commit([
      { key: 'header', value: { summary: 'x' } },
      { key: 'lfsFile', value: { path: 'm.gguf', algo: 'sha256', oid: 'a'.repeat(64), size: 5 } },
    ]);
    expect(missing.status).toBe(422);
    const escape = await commit([
      { key: 'header', value: { summary: 'x' } },
      { key: 'file', value: { path: '../x', content: 'eA==', encoding: 'base64' } },
    ]);
    expect(escape.status).toBe(400);

    const pr = await commit(
      [
        { key: 'header', value: { summary: 'Add notes' } },
        { key: 'file', value: { path: 'notes.md', content: Buffer.from('hi').toString('base64'), encoding: 'base64' } },
      ],
      '?create_pr=1',
    );
    const prAnswer = (await pr.json()) as { commitOid: string; commitUrl: string; pullRequestUrl: string };
    expect(prAnswer.pullRequestUrl).toBe(`${hub.url}/acme/tiny-llm/discussions/1`);
    expect(prAnswer.commitUrl).toBe(`${hub.url}/acme/tiny-llm/commit/${prAnswer.commitOid}`);
    const refs = (await (await fetch(`${hub.url}/api/models/acme/tiny-llm/refs?include_prs=1`)).json()) as {
      branches: { name: string }[];
      pullRequests: { ref: string }[];
    };
    expect(refs.pullRequests).toEqual([{ name: '1', ref: 'refs/pr/1', targetCommit: prAnswer.commitOid }]);
    expect(refs.branches.map((b) => b.name)).toEqual(['main']);
    // The PR's file is served at its ref, not on main.
    expect((await fetch(`${hub.url}/acme/tiny-llm/resolve/refs%2Fpr%2F1/notes.md`)).status).toBe(200);
    expect((await fetch(`${hub.url}/acme/tiny-llm/resolve/main/notes.md`)).status).toBe(404);
  });

  it('the LFS batch points at the upload host, which checks the bytes and never needs the token; a commit is readable at once', async () => {
    const hub = await fakeHub();
    const data = Buffer.alloc(300_000, 5);
    const oid = createHash('sha256').update(data).digest('hex');
    const batch = await fetch(`${hub.url}/acme/tiny-llm.git/info/lfs/objects/batch`, {
      method: 'POST',
      headers: { ...auth(BOB_WRITE), 'content-type': 'application/vnd.git-lfs+json', accept: 'application/vnd.git-lfs+json' },
      body: JSON.stringify({
        operation: 'upload',
        transfers: ['basic', 'multipart', 'xet'],
        hash_algo: 'sha_256',
        ref: { name: 'main' },
        objects: [{ oid, size: data.length }],
      }),
    });
    const b = (await batch.json()) as { transfer: string; objects: { actions: { upload: { href: string } } }[] };
    expect(b.transfer).toBe('basic');
    const href = b.objects[0]?.actions.upload.href ?? '';
    expect(href.startsWith(hub.uploadUrl)).toBe(true);
    expect((await fetch(href, { method: 'PUT', body: Buffer.alloc(300_000, 6) })).status).toBe(400);
    expect((await fetch(href, { method: 'PUT', body: data })).status).toBe(200);
    expect(hub.storedObjects().has(oid)).toBe(true);

    const res = await fetch(`${hub.url}/api/models/acme/tiny-llm/commit/main`, {
      method: 'POST',
      headers: { ...auth(BOB_WRITE), 'content-type': 'application/x-ndjson' },
      body: ndjson([
        { key: 'header', value: { summary: 'Add weights' } },
        { key: 'lfsFile', value: { path: 'w.bin', algo: 'sha256', oid, size: data.length } },
        { key: 'deletedFile', value: { path: 'config.json' } },
      ]),
    });
    const { commitOid } = (await res.json()) as { commitOid: string };
    const head = await fetch(`${hub.url}/acme/tiny-llm/resolve/main/w.bin`, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(302);
    expect(head.headers.get('x-repo-commit')).toBe(commitOid);
    expect(head.headers.get('x-linked-etag')).toBe(`"${oid}"`);
    const cdn = await fetch(head.headers.get('location') ?? '');
    expect(Buffer.from(await cdn.arrayBuffer()).equals(data)).toBe(true);
    const tree = (await (await fetch(`${hub.url}/api/models/acme/tiny-llm/tree/main`)).json()) as { path: string }[];
    expect(tree.map((t) => t.path)).toContain('w.bin');
    expect(tree.map((t) => t.path)).not.toContain('config.json');
    expect(hub.log.filter((l) => l.origin === 'upload').every((l) => !l.headers.authorization)).toBe(true);
  });
});
