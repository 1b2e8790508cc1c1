/** planDownload: from "repo, revision, selection" to the exact files, as Python would fetch them. */
import { describe, expect, it } from 'vitest';
import { planDownload } from '../../src-main/downloads/plan';
import { HubError } from '../../src-main/hub/errors';
import { commitSha } from '../fakehub/model';
import { fakeHub, hubHttp } from '../helpers/hub';

const TINY = { type: 'model' as const, id: 'acme/tiny-llm' };
const MAIN = commitSha('acme/tiny-llm', 1);
const V1 = commitSha('acme/tiny-llm', 0);

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.catch((error: unknown) => error);
  if (!(e instanceof HubError)) throw new Error(`expected a HubError, got ${String(e)}`);
  return e.code;
}

describe('planDownload', () => {
  it('plans one named file with a HEAD only (no listing), with its LFS sha256 as the blob name', async () => {
    const hub = await fakeHub();
    const plan = await planDownload(hubHttp(hub), TINY, 'main', { files: ['tiny-llm-Q4_K_M.gguf'] });
    expect(plan.commit).toBe(MAIN);
    expect(plan.listing).toBeNull();
    expect(plan.files).toHaveLength(1);
    expect(plan.files[0]).toMatchObject({ path: 'tiny-llm-Q4_K_M.gguf', lfs: true, size: 3 * (1 << 20) + 123 });
    expect(plan.files[0]?.etag).toMatch(/^[0-9a-f]{64}$/);
    expect(hub.log.filter((r) => r.url.includes('/tree/'))).toHaveLength(0);
  });

  it('plans a whole revision from the tree at its commit, git sha1 names for regular files', async () => {
    const hub = await fakeHub();
    const plan = await planDownload(hubHttp(hub), TINY, 'main', {});
    expect(plan.files.map((f) => f.path).sort()).toEqual(['README.md', 'config.json', 'sub/dir/tokenizer.json', 'tiny-llm-Q4_K_M.gguf', 'tiny-llm-Q8_0.gguf']);
    const config = plan.files.find((f) => f.path === 'config.json');
    expect(config).toMatchObject({ lfs: false });
    expect(config?.etag).toMatch(/^[0-9a-f]{40}$/);
    expect(plan.listing?.length).toBe(5);
  });

  it('reads a tag to its own commit, and patterns as fnmatch (Python allow_patterns)', async () => {
    const hub = await fakeHub();
    const plan = await planDownload(hubHttp(hub), TINY, 'v1.0', { patterns: ['*.json'] });
    expect(plan.commit).toBe(V1);
    expect(plan.files.map((f) => f.path).sort()).toEqual(['config.json', 'sub/dir/tokenizer.json']);
  });

  it('names the missing file, and says when a pattern matches nothing', async () => {
    const hub = await fakeHub();
    const http = hubHttp(hub);
    expect(await codeOf(planDownload(http, TINY, 'main', { files: ['config.json', 'nope.bin'] }))).toBe('ENTRY_NOT_FOUND');
    const e = (await planDownload(http, TINY, 'main', { patterns: ['*.onnx'] }).catch((x: unknown) => x)) as HubError;
    expect(e.message).toBe('No file in acme/tiny-llm at main matches *.onnx.');
    expect(e.details.commit).toBe(MAIN);
  });

  it('refuses an unstorable name asked for by name, before any request', async () => {
    const hub = await fakeHub();
    const before = hub.log.length;
    expect(await codeOf(planDownload(hubHttp(hub), TINY, 'main', { files: ['../escape.json'] }))).toBe('INTEGRITY');
    expect(hub.log.length).toBe(before);
  });

  it('says which revision does not exist, with the repo page', async () => {
    const hub = await fakeHub();
    const e = (await planDownload(hubHttp(hub), TINY, 'no-such-branch', {}).catch((x: unknown) => x)) as HubError;
    expect(e.code).toBe('REVISION_NOT_FOUND');
    expect(e.message).toBe('Revision "no-such-branch" does not exist in acme/tiny-llm.');
    expect(e.details.repoUrl).toBe(`${hub.url}/acme/tiny-llm`);
  });
});
