/** `hubcap download --local-dir` (#30.1, #30.4) as a real process, with huggingface_hub 2.0's `hf download --local-dir` after it. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeHub } from '../helpers/hub';
import { cliEnv, runCli } from '../helpers/cli';
import { hfPython, runHfPython } from '../helpers/hf-python';
import { tmpDir } from '../helpers/tmp';

describe('hubcap download --local-dir', () => {
  it('fills a folder hf download then finds complete; refuses a different file until --overwrite, and a folder inside the cache', async () => {
    const hub = await fakeHub();
    const env = cliEnv(hub.url);
    const dir = path.join(tmpDir(), 'tiny');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), 'my own config');

    const refused = await runCli(['download', 'acme/tiny-llm', '*.json', 'README.md', '--local-dir', dir], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/config\.json is already there and is not this file: a file of 13 B .*--overwrite replaces it/);
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('my own config');

    const ok = await runCli(['download', 'acme/tiny-llm', '*.json', 'README.md', '--local-dir', dir, '--overwrite'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim()).toBe(dir);
    expect(ok.stderr).toMatch(/hubcap: config\.json: downloaded/);
    expect(fs.readFileSync(path.join(dir, 'sub', 'dir', 'tokenizer.json'), 'utf8')).toBe('{"tokens":[]}');

    const before = hub.log.length;
    const hf = path.join(path.dirname(hfPython()), 'hf');
    const py = await runHfPython([hf, 'download', 'acme/tiny-llm', '--include', '*.json', 'README.md', '--local-dir', dir], {
      HF_ENDPOINT: hub.url,
      HF_HUB_CACHE: path.join(tmpDir(), 'py-cache'),
    });
    expect(py.stderr).not.toMatch(/Traceback/);
    expect(hub.log.slice(before).filter((r) => r.method === 'GET' && (r.origin === 'cdn' || r.url.includes('/resolve/')))).toEqual([]);

    // A second run: everything already there, nothing fetched.
    const again = await runCli(['download', 'acme/tiny-llm', '*.json', 'README.md', '--local-dir', dir, '--json'], env);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, bytesFetched: 0 });

    const inside = await runCli(['download', 'acme/tiny-llm', 'README.md', '--local-dir', path.join(env.HF_HUB_CACHE, 'x')], env);
    expect(inside.code).toBe(1);
    expect(inside.stderr).toMatch(/inside the Hugging Face cache/);
  }, 300_000);
});
