/** `hubcap upload`, as real processes against the fake Hub, with the token from HF_TOKEN (as on a pod). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOKENS } from '../fakehub/fixtures';
import { buildRepo } from '../fakehub/model';
import { peftLoraFolder } from '../fixtures/publish-files';
import { cliEnv, runCli as run } from '../helpers/cli';
import { fakeHub } from '../helpers/hub';
import { tmpDir } from '../helpers/tmp';

const [ALICE_READ, BOB_WRITE] = Object.keys(TOKENS) as [string, string];

describe('hubcap upload', () => {
  it('creates a private repo, keeps the folder structure, skips what is unchanged, and says what it would do', async () => {
    const hub = await fakeHub();
    const env = { ...cliEnv(hub.url), HF_TOKEN: BOB_WRITE };
    const dir = peftLoraFolder(path.join(tmpDir(), 'lora'));
    fs.mkdirSync(path.join(dir, 'logs'));
    fs.writeFileSync(path.join(dir, 'logs', 'train.log'), 'loss 0.1\n');

    const dry = await run(['upload', 'bob/cli-lora', dir, '--dry-run', '--exclude', 'logs/*'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^add\s+adapter_config\.json/m);
    expect(dry.stdout).not.toContain('train.log');
    expect(dry.stderr).toMatch(/bob\/cli-lora@main: 2 to add, 0 to replace, 0 unchanged .*creates the repo/);
    expect(hub.repos.has('model:bob/cli-lora')).toBe(false);

    const first = await run(['upload', 'bob/cli-lora', dir, '--path-in-repo', 'adapters/v1', '-m', 'First adapter'], env);
    expect(first.stderr).toMatch(/3 to add, 0 to replace, 0 unchanged/);
    expect(first.code).toBe(0);
    const repo = hub.repos.get('model:bob/cli-lora');
    expect(repo?.private).toBe(true);
    const head = repo?.commits.at(-1);
    expect(first.stdout.trim()).toBe(`${hub.url}/bob/cli-lora/commit/${head?.sha}`);
    expect(head?.title).toBe('First adapter');
    expect([...(head?.files.keys() ?? [])].sort()).toEqual([
      '.gitattributes',
      'adapters/v1/adapter_config.json',
      'adapters/v1/adapter_model.safetensors',
      'adapters/v1/logs/train.log',
    ]);

    const again = await run(['upload', 'bob/cli-lora', dir, '--path-in-repo', 'adapters/v1', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, unchanged: true });
    expect(hub.repos.get('model:bob/cli-lora')?.commits).toHaveLength(2);
  }, 120_000);

  it('refuses a read token before sending anything, with what kind of token to create', async () => {
    const hub = await fakeHub();
    const file = path.join(tmpDir(), 'model.gguf');
    fs.writeFileSync(file, 'GGUF');
    const r = await run(['upload', 'alice/mine', file], { ...cliEnv(hub.url), HF_TOKEN: ALICE_READ });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/read token: it can download but not publish/);
    expect(r.stderr).toMatch(/settings\/tokens\/new\?tokenType=write/);
    expect(hub.log.some((l) => l.origin === 'upload' || /repos\/create|preupload|\/commit\//.test(l.url))).toBe(false);
  }, 60_000);

  it('opens a pull request on someone else’s repo with --create-pr and prints its address', async () => {
    const hub = await fakeHub();
    hub.addRepo(buildRepo({ id: 'zed/shared', commits: [{ files: { 'README.md': '# shared\n' } }] }));
    const file = path.join(tmpDir(), 'fix.json');
    fs.writeFileSync(file, '{"fixed":true}');
    const env = { ...cliEnv(hub.url), HF_TOKEN: BOB_WRITE };
    const refused = await run(['upload', 'zed/shared', file], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Open as a pull request/);
    const pr = await run(['upload', 'zed/shared', file, '--create-pr'], env);
    expect(pr.code).toBe(0);
    expect(pr.stdout.trim()).toBe(`${hub.url}/zed/shared/discussions/1`);
  }, 60_000);
});
