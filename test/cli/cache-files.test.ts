/** `hubcap cache ls REPO --files`: real paths, sizes, the blob each resolves to, and a folder Python accepts. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CacheFileView } from '../../src-main/contract/cache';
import { fakeHub } from '../helpers/hub';
import { cliEnv, runCli } from '../helpers/cli';
import { runHfPython } from '../helpers/hf-python';

interface Listed {
  id: string;
  revisions: { commit: string; refs: string[]; snapshotPath: string; files: CacheFileView[] }[];
}

describe('hubcap cache ls --files', () => {
  it('lists each file at its real path with its blob, under a snapshot folder huggingface_hub resolves to', async () => {
    const hub = await fakeHub();
    const env = cliEnv(hub.url);
    expect((await runCli(['download', 'acme/tiny-llm', '*.json', 'README.md'], env)).code).toBe(0);

    const json = await runCli(['cache', 'ls', 'acme/tiny-llm', '--files', '--json'], env);
    expect(json.code).toBe(0);
    const [repo] = JSON.parse(json.stdout) as Listed[];
    const rev = repo?.revisions[0];
    expect(rev?.refs).toEqual(['main']);
    expect(rev?.snapshotPath).toBe(path.join(env.HF_HUB_CACHE, 'models--acme--tiny-llm', 'snapshots', rev?.commit ?? ''));
    expect(rev?.files.map((f) => f.path).sort()).toEqual(['README.md', 'config.json', 'sub/dir/tokenizer.json']);
    for (const f of rev?.files ?? []) {
      // The blob named is the file's bytes; the readable path reads the same bytes.
      expect(f.blob).toMatch(/^models--acme--tiny-llm\/blobs\/[0-9a-f]{40,64}$/);
      const viaBlob = fs.readFileSync(path.join(env.HF_HUB_CACHE, f.blob));
      expect(viaBlob.length).toBe(f.size);
      expect(fs.readFileSync(path.join(rev?.snapshotPath as string, f.path)).equals(viaBlob)).toBe(true);
    }

    // The folder is the one huggingface_hub itself hands to from_pretrained for this revision, offline.
    const py = await runHfPython(
      ['-c', 'import sys; from huggingface_hub import snapshot_download; print(snapshot_download("acme/tiny-llm", allow_patterns=["*.json", "README.md"]))'],
      { HF_HUB_CACHE: env.HF_HUB_CACHE, HF_HUB_OFFLINE: '1' },
    );
    expect(py.stderr).not.toMatch(/Traceback/);
    expect(py.stdout.trim()).toBe(rev?.snapshotPath);

    const text = await runCli(['cache', 'ls', 'acme/tiny-llm', '--files'], env);
    expect(text.stdout).toContain(`folder: ${rev?.snapshotPath}`);
    expect(text.stdout).toMatch(/sub\/dir\/tokenizer\.json\s+\d+ B\s+models--acme--tiny-llm\/blobs\/[0-9a-f]+/);
  }, 300_000);
});
