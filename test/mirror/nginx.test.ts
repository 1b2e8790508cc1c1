/**
 * An ordinary HTTP cache in front of the mirror, unchanged (#28.4): Debian's nginx with the
 * README's snippet. Python 2.0 behind it gets identical files; the second client's bytes come from
 * nginx's cache (the mirror sends the file once), Range and conditional requests pass through, and
 * a gated repo's answers are never stored there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeHub, type FakeHub } from '../fakehub/server';
import { standardRepos, TOKENS } from '../fakehub/fixtures';
import type { FakeRepo } from '../fakehub/model';
import { runHfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';
import { filledCache, KEY, mirrorOver } from './setup';

const REPO = 'acme/tiny-llm';
const SCRIPT = new URL('./mirror_client.py', import.meta.url).pathname;
const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));

let proc: ChildProcess | null = null;
let hub: FakeHub | null = null;
afterEach(async () => {
  proc?.kill('SIGKILL');
  proc = null;
  await hub?.close().catch(() => undefined);
  hub = null;
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The README's snippet, in a throwaway prefix. */
function nginxConf(dir: string, port: number, upstream: string): string {
  return `
${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=hub:10m max_size=10g inactive=30d use_temp_path=off;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass ${upstream};
      proxy_set_header Host $http_host;
      proxy_cache hub;
      proxy_cache_key $scheme$proxy_host$request_uri;
      proxy_cache_revalidate on;
      proxy_cache_lock on;
      proxy_buffering on;
      proxy_http_version 1.1;
      add_header X-Cache-Status $upstream_cache_status always;
    }
  }
}
`;
}

async function startNginx(upstream: string): Promise<string> {
  if (!NGINX) throw new Error('This test runs a real nginx in front of the mirror: install it with  apt-get install -y nginx-light');
  const dir = tmpDir('hubcap-nginx-');
  for (const d of ['body', 'proxy', 'fcgi', 'uwsgi', 'scgi', 'cache']) fs.mkdirSync(path.join(dir, d));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConf(dir, port, upstream));
  const check = spawnSync(NGINX, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t: ${check.stderr}`);
  proc = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    const up = await fetch(`${url}/`).then(
      () => true,
      () => false,
    );
    if (up) return url;
    if (proc.exitCode !== null) throw new Error(`nginx exited: ${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('mirror behind nginx', () => {
  it('works unchanged behind an HTTP cache: the second client is served by nginx, ranges and revalidation pass', async () => {
    hub = await startFakeHub({ repos: standardRepos(), tokens: TOKENS, gatedAccess: { 'acme/gated-llm': ['alice'] } });
    const cache = await filledCache(hub, [REPO, 'acme/gated-llm'], 'hf_alice_read_token_0000000000000000');
    const m = await mirrorOver(cache, hub.url);
    const front = await startNginx(m.mirror.url);
    const endpoint = `${front}/${KEY}`;
    const repo = hub.repos.get(`model:${REPO}`) as FakeRepo;
    const head = repo.commits.at(-1);
    const expected = Object.fromEntries([...(head?.files.values() ?? [])].map((f) => [f.path, f.sha256]));
    const total = [...(head?.files.values() ?? [])].reduce((a, f) => a + f.content.size, 0);

    for (let client = 0; client < 2; client++) {
      const r = await runHfPython([SCRIPT, 'snapshot', REPO, tmpDir(), head?.sha as string], { HF_ENDPOINT: endpoint });
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { files: unknown }).files).toEqual(expected);
    }
    // Commit-addressed answers are immutable: the mirror sent each file once, nginx the second time.
    expect(m.mirror.stats().bytesFromCache).toBe(total);
    const hit = await fetch(`${endpoint}/${REPO}/resolve/${head?.sha}/tiny-llm-Q8_0.gguf`, { headers: { range: 'bytes=10-19' } });
    expect([hit.status, hit.headers.get('x-cache-status'), hit.headers.get('content-range')]).toEqual([206, 'HIT', `bytes 10-19/${5 * (1 << 20) + 7}`]);
    const etag = hit.headers.get('etag') as string;
    expect((await fetch(`${endpoint}/${REPO}/resolve/${head?.sha}/tiny-llm-Q8_0.gguf`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    // A gated file: never stored by nginx, asked of the mirror (and the Hub) each time.
    const alice = { authorization: 'Bearer hf_alice_read_token_0000000000000000' };
    for (let i = 0; i < 2; i++) {
      const g = await fetch(`${endpoint}/acme/gated-llm/resolve/main/config.json`, { headers: alice });
      expect([g.status, g.headers.get('cache-control'), g.headers.get('x-cache-status')]).toEqual([200, 'private, no-store', 'MISS']);
      await g.text();
    }
    const anonymous = await fetch(`${endpoint}/acme/gated-llm/resolve/main/config.json`);
    expect(anonymous.status).toBe(401);
  });
});
