/** `hubcap scan-apps` and `hubcap adopt`, as real processes in a HOME laid out like other apps'. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AdoptResult, AppsReport } from '../../src-main/contract/apps';
import { otherAppsHome } from '../fixtures/other-apps';
import { fakeHub } from '../helpers/hub';
import { runCli as run } from '../helpers/cli';

describe('hubcap scan-apps and adopt', () => {
  it('lists other apps’ models as text and JSON, then adopts one by hard link with a plan first', async () => {
    const hub = await fakeHub();
    const apps = otherAppsHome();
    const cache = path.join(apps.home, 'hf-hub');
    const env = { HOME: apps.home, HF_ENDPOINT: hub.url, HF_HUB_CACHE: cache };

    const text = await run(['scan-apps'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^LM Studio: .*\.lmstudio\/models \(1 model file, /m);
    expect(text.stdout).toMatch(/hf\.co\/hubcap-test\/tiny-llama-GGUF:F32 .* from hubcap-test\/tiny-llama-GGUF \(F32\)/);
    expect(text.stdout).toMatch(/note: Skipped the Ollama manifest/);
    const json = JSON.parse((await run(['scan-apps', '--json', '--hash'], env)).stdout) as AppsReport;
    expect(json.duplicatedBytes).toBe(2 * apps.tinyLlama.length);

    const plan = await run(['adopt', apps.lmStudio.file, '--mode', 'link', '--dry-run'], env);
    expect(plan.stdout).toMatch(/^would add .* as hubcap-test\/tiny-llama-GGUF\/tiny-llama-F32\.gguf @ [0-9a-f]{8}: hard-linked/m);
    expect(fs.existsSync(cache)).toBe(false);
    const done = await run(['adopt', apps.lmStudio.file, '--mode', 'link', '--json'], env);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout) as AdoptResult).toMatchObject({ bytesWritten: 0, steps: [{ how: 'link' }] });

    // The Ollama pull's blob: copied into the cache, then freed again by sharing Ollama's bytes.
    // (Into a second cache: the first one's blob is LM Studio's file, hard-linked, so it has nothing to free.)
    expect((await run(['scan-apps', '--reclaim', '--dry-run'], env)).stdout).toMatch(/Would free 0 B\./);
    const cache2 = ['--cache-dir', path.join(apps.home, 'cache2')];
    expect((await run(['adopt', apps.ollama.hfBlob, '--mode', 'copy', ...cache2], env)).code).toBe(0);
    const dry = await run(['scan-apps', '--reclaim', '--dry-run', ...cache2], env);
    expect(dry.stdout).toMatch(/^would share .*blobs\/[0-9a-f]{64} with (Ollama|LM Studio|llama\.cpp)'s /m);
    expect(dry.stdout).toMatch(/Would free 604 kB\./);
    // By clone only unless --link: this disk cannot clone, so nothing is freed, and it says how to allow a hard link.
    const cloneOnly = await run(['scan-apps', '--reclaim', ...cache2], env);
    expect(cloneOnly.stdout).toMatch(/^Freed 0 B; other apps' folders were not changed\.$/m);
    expect(cloneOnly.stdout).toMatch(/--link shares the bytes by hard link instead/);
    const freed = await run(['scan-apps', '--reclaim', '--link', ...cache2], env);
    expect(freed.stderr).toMatch(/warning: a hard link makes the cache and the other app share the same bytes/);
    expect(freed.stdout).toMatch(/^Freed 604 kB \(link\); other apps' folders were not changed\.$/m);

    const refused = await run(['adopt', apps.webui.file], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^hubcap: tiny-llm-Q8_0\.gguf is not acme\/tiny-llm's tiny-llm-Q8_0\.gguf: its sha256 differs/);
    expect((await run(['adopt', apps.lmStudio.file, '--mode', 'sideways'], env)).stderr).toMatch(/mode/);
    // Twelve real CLI processes (each starts Node and tsx): about 17 s here, more on a loaded machine.
  }, 120_000);
});
