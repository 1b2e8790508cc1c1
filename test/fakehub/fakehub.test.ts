/** The fake Hub itself: pagination, whoami, errors, Range, and its command line. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { catalogue, standardRepos, TOKENS } from './fixtures';
import { fakeHub } from '../helpers/hub';

const ALICE = Object.keys(TOKENS)[0] as string;

function nextLink(res: Response): string | null {
  return /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
}

describe('fakehub', () => {
  it('pages model search with absolute Link headers, sorted and filtered', async () => {
    const hub = await fakeHub({ repos: [...standardRepos(), ...catalogue(250)] });
    let url: string | null = `${hub.url}/api/models?filter=gguf&sort=downloads&limit=40`;
    const ids: string[] = [];
    let pages = 0;
    while (url) {
      const res = await fetch(url);
      const page = (await res.json()) as { id: string; downloads: number }[];
      ids.push(...page.map((m) => m.id));
      url = nextLink(res);
      if (url) expect(url.startsWith('http://')).toBe(true);
      pages++;
    }
    expect(pages).toBeGreaterThan(2);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(84 + 4); // 84 catalogue gguf models + tiny-llm, gated-llm, split-llm and tiny-llama-GGUF
  });

  it('answers whoami-v2 for known tokens and 401 otherwise', async () => {
    const hub = await fakeHub();
    const ok = await fetch(`${hub.url}/api/whoami-v2`, { headers: { authorization: `Bearer ${ALICE}` } });
    expect(await ok.json()).toMatchObject({ name: 'alice', auth: { accessToken: { role: 'read', displayName: 'laptop' } } });
    const bad = await fetch(`${hub.url}/api/whoami-v2`, { headers: { authorization: 'Bearer hf_nope' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('x-error-message')).toMatch(/Invalid credentials/);
  });

  it('redirects LFS files to the CDN with linked etag and size, and honours Range', async () => {
    const hub = await fakeHub();
    const head = await fetch(`${hub.url}/acme/tiny-llm/resolve/main/tiny-llm-Q4_K_M.gguf`, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(302);
    expect(head.headers.get('location')?.startsWith(hub.cdnUrl)).toBe(true);
    expect(head.headers.get('x-linked-etag')).toMatch(/^"[0-9a-f]{64}"$/);
    const part = await fetch(head.headers.get('location') as string, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toMatch(/^bytes 10-19\/\d+$/);
    expect((await part.arrayBuffer()).byteLength).toBe(10);
    const missing = await fetch(`${hub.url}/acme/tiny-llm/resolve/main/nope`, { method: 'HEAD' });
    expect([missing.status, missing.headers.get('x-error-code')]).toEqual([404, 'EntryNotFound']);
    expect(missing.headers.get('x-repo-commit')).toMatch(/^[0-9a-f]{40}$/);
  });

  it('pages the tree and accepts paths-info as JSON and as a form', async () => {
    const hub = await fakeHub({ treePageSize: 2 });
    let url: string | null = `${hub.url}/api/models/acme/tiny-llm/tree/main?recursive=true`;
    const paths: string[] = [];
    while (url) {
      const res = await fetch(url);
      paths.push(...((await res.json()) as { path: string }[]).map((e) => e.path));
      url = nextLink(res);
    }
    expect(paths).toContain('sub/dir/tokenizer.json');
    const json = await fetch(`${hub.url}/api/models/acme/tiny-llm/paths-info/main`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paths: ['config.json', 'nope'], expand: true }),
    });
    expect(((await json.json()) as { path: string; lastCommit?: unknown }[]).map((e) => [e.path, Boolean(e.lastCommit)])).toEqual([['config.json', true]]);
    const form = await fetch(`${hub.url}/api/models/acme/tiny-llm/paths-info/main`, { method: 'POST', body: new URLSearchParams([['paths', 'README.md']]) });
    expect(((await form.json()) as { path: string }[]).map((e) => e.path)).toEqual(['README.md']);
  });

  it('starts from the command line and takes faults at run time', async () => {
    const p = spawn(process.execPath, ['--import', 'tsx', new URL('./cli.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve) => {
      let out = '';
      p.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /HF_ENDPOINT=(\S+)/.exec(out);
        if (m) resolve(m[1] as string);
      });
    });
    try {
      await fetch(`${url}/__fakehub/faults`, { method: 'POST', body: JSON.stringify({ kind: 'status', status: 503, origin: 'api' }) });
      expect((await fetch(`${url}/api/models`)).status).toBe(503);
      expect((await fetch(`${url}/api/models`)).status).toBe(200);
    } finally {
      p.kill();
    }
  });
});
