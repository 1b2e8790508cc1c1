/**
 * Exports by copy-on-write clone (#30.2) on a loop-mounted btrfs holding both the cache and the
 * apps' folders: suggested without asking, and the placed files share every extent with the
 * cache's blobs (no extra space), yet are independent files (a write to one leaves the other).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExportPlanView, ExportResult } from '../../src-main/contract/export';
import { dispatch } from '../../src-main/rpc/dispatch';
import { exportsOn } from '../helpers/exports';
import { btrfs } from '../helpers/mounts';
import { commitOf, writePythonRevision } from '../helpers/python-cache';
import { exportCache, files, read } from './models';

let core: ReturnType<typeof exportsOn> | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await dispatch((core as ReturnType<typeof exportsOn>).handlers, method, input);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

/** Bytes of a file no other file shares (btrfs filesystem du's "Exclusive" column). */
function exclusiveBytes(file: string): number {
  spawnSync('sync');
  const du = spawnSync('btrfs', ['filesystem', 'du', '--raw', file], { encoding: 'utf8' });
  const line = du.stdout.trim().split('\n').pop() as string;
  return Number(line.trim().split(/\s+/)[1]);
}

describe('export by clone (btrfs)', () => {
  it('clones into each app layout: no extra space, independent files', async (ctx) => {
    const home = btrfs(ctx);
    const cache = exportCache(path.join(home, 'hub'));
    const big = Buffer.alloc(8 << 20);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    writePythonRevision(cache, 'models--acme--big-llm', commitOf('big'), [{ path: 'big.Q8_0.gguf', data: Buffer.concat([files.gguf, big]), lfs: true }], {
      refs: ['main'],
    });
    const folders = { comfyui: ['ComfyUI', 'models'], 'lm-studio': ['.lmstudio', 'models'], 'text-generation-webui': ['text-generation-webui', 'models'] };
    for (const f of Object.values(folders)) fs.mkdirSync(path.join(home, ...f), { recursive: true });
    core = exportsOn(home, cache);

    const plan = await call<ExportPlanView>('export.plan', { repo: 'model:acme/big-llm', app: 'lm-studio' });
    expect(plan.suggested).toBe('clone');
    expect(plan.modes.find((m) => m.mode === 'clone')).toMatchObject({ available: true, consequence: expect.stringMatching(/no extra space/) });

    const lm = await call<ExportResult>('export.run', { repo: 'model:acme/big-llm', app: 'lm-studio' });
    expect(lm).toMatchObject({ placed: 1, bytesCopied: 0, record: { mode: 'clone' } });
    const placed = path.join(home, '.lmstudio', 'models', 'acme', 'big-llm', 'big.Q8_0.gguf');
    const blob = fs.realpathSync(path.join(cache, 'models--acme--big-llm', 'snapshots', commitOf('big'), 'big.Q8_0.gguf'));
    expect(fs.lstatSync(placed).isFile()).toBe(true);
    expect(fs.statSync(placed).ino).not.toBe(fs.statSync(blob).ino);
    expect(exclusiveBytes(placed)).toBe(0);
    expect(exclusiveBytes(blob)).toBe(0);

    // An edit to the app's file leaves the cache's bytes as they were.
    fs.writeFileSync(placed, 'rewritten by the app');
    expect(read(blob).length).toBe(files.gguf.length + big.length);

    await call('export.run', { repo: 'model:acme/tiny-llm', app: 'text-generation-webui' });
    await call('export.run', { repo: 'model:acme/style-lora', app: 'comfyui' });
    expect(read(home, ...folders['text-generation-webui'], 'acme_tiny-llm', 'tiny.Q4_K_M.gguf').equals(files.gguf)).toBe(true);
    expect(read(home, ...folders.comfyui, 'loras', 'style.safetensors').equals(files.lora)).toBe(true);
  });
});
