/** `hubcap api` as a real process: the base URL on its first line, the key from HUBCAP_API_KEY, a chat through it. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { testModel } from '../helpers/inference';
import { startCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

describe('hubcap api', () => {
  it('prints the base URL first, takes its key from HUBCAP_API_KEY, and answers with a Library model', async () => {
    const home = tmpDir();
    const env = { HOME: home, HUBCAP_DATA_DIR: path.join(home, 'data'), HF_HUB_CACHE: path.join(home, 'hub'), HUBCAP_API_KEY: 'hc-from-env-1234567890' };
    // A model in the Hugging Face cache (as Python would leave it) is in the Library, so the API serves it.
    const repo = path.join(env.HF_HUB_CACHE, 'models--hubcap-test--tiny');
    const sha = createHash('sha256').update(fs.readFileSync(testModel())).digest('hex');
    const commit = 'c'.repeat(40);
    fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'snapshots', commit), { recursive: true });
    fs.mkdirSync(path.join(repo, 'refs'), { recursive: true });
    fs.copyFileSync(testModel(), path.join(repo, 'blobs', sha));
    fs.symlinkSync(`../../blobs/${sha}`, path.join(repo, 'snapshots', commit, 'tiny-llama-F32.gguf'));
    fs.writeFileSync(path.join(repo, 'refs', 'main'), commit);
    const p = startCli(['api', '--port', '0'], env);
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        p.stdout?.on('data', (d: Buffer) => {
          out += d.toString();
          const first = out.split('\n')[0];
          if (out.includes('\n') && first) resolve(first);
        });
        p.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      await expect.poll(() => stderr).toMatch(/API key: from HUBCAP_API_KEY/);
      expect(stderr).not.toContain('hc-from-env-1234567890');

      const client = new OpenAI({ baseURL: url, apiKey: 'hc-from-env-1234567890', maxRetries: 0, timeout: 60_000 });
      expect((await client.models.list()).data.map((m) => m.id)).toEqual(['hubcap-test/tiny/tiny-llama-F32.gguf']);
      const r = await client.chat.completions.create({
        model: 'hubcap-test/tiny/tiny-llama-F32.gguf',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 4,
        seed: 1,
      });
      expect(r.usage?.completion_tokens).toBeGreaterThan(0);
      const bad = new OpenAI({ baseURL: url, apiKey: 'hc-nope', maxRetries: 0 });
      await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    } finally {
      // Waited for: the temp HOME is removed after the test, and the process still writes its data folder until it exits.
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
    }
  }, 60_000);
});
