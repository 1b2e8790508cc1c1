// The command table: parsing and --help come from the same entries, so what one says the other does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../src-main/cli/commands';
import { findCommand, parse } from '../../src-main/cli/command';
import { main, usage } from '../../src-main/cli/main';

/** main() with its standard output and error caught. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

afterEach(() => vi.restoreAllMocks());

describe('hubcap command table', () => {
  it('names every command once', () => {
    const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    expect(new Set(names).size).toBe(names.length);
    for (const want of [
      'serve',
      'download',
      'cache ls',
      'cache rm',
      'cache prune',
      'cache verify',
      'cache mv',
      'scan-apps',
      'adopt',
      'upload',
      'api',
      'mirror',
      'login',
      'logout',
      'whoami',
      '--version',
    ])
      expect(names).toContain(want);
  });

  it('--help lists each entry by its own usage lines', () => {
    const text = usage();
    for (const c of COMMANDS) expect(text).toContain(`hubcap ${c.name}`);
    // Aligned: every description starts in the same column where the synopsis leaves room for it.
    expect(text).toMatch(/^ {2}hubcap download REPO \[FILES\|PATTERNS…\] +Download into the Hugging Face cache$/m);
  });

  it('documents every option it parses, in the lines of the command that parses it', () => {
    for (const c of COMMANDS) {
      const lines = usage([c]);
      for (const [name, option] of Object.entries(c.options)) {
        expect(lines, `${c.name} --${name}`).toContain(`--${name}`);
        if (option.short) expect(lines, `${c.name} -${option.short}`).toContain(`-${option.short}`);
      }
    }
  });

  it('finds two-word commands before one-word ones, and aliases', () => {
    expect(findCommand(COMMANDS, ['cache', 'ls', '--json'])).toMatchObject({ name: 'cache ls', rest: ['--json'] });
    expect(findCommand(COMMANDS, ['-v'])?.entry.name).toBe('--version');
    expect(findCommand(COMMANDS, ['cache'])).toBeNull();
    expect(findCommand(COMMANDS, ['nope'])).toBeNull();
  });

  it('parses by the entry: typed values and defaults, --help for every command, strict about the rest', () => {
    const download = COMMANDS.find((c) => c.name === 'download');
    if (!download) throw new Error('no download entry');
    const { args, help } = parse(download, ['acme/x', 'a.bin', '--revision', 'v1', '-q']);
    expect(help).toBe(false);
    expect(args.positionals).toEqual(['acme/x', 'a.bin']);
    expect(args.values).toMatchObject({ revision: 'v1', quiet: true, 'repo-type': 'model', force: false });
    expect(parse(download, ['--help']).help).toBe(true);
    expect(() => parse(download, ['--nope'])).toThrow(/--nope/);
    const serve = COMMANDS.find((c) => c.name === 'serve');
    if (!serve) throw new Error('no serve entry');
    expect(() => parse(serve, ['stray'])).toThrow();
  });

  it('answers help, version and mistakes with the right exit status and text', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('hubcap mirror [--port N]');
    expect((await run([])).code).toBe(1);
    const one = await run(['upload', '--help']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('hubcap upload REPO');
    expect(one.stdout).not.toContain('hubcap download');
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+/);
    const unknown = await run(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2 });
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const group = await run(['cache', 'nope']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('usage: hubcap cache ls|rm|prune|verify|mv');
    const badFlag = await run(['serve', '--bogus']);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toMatch(/--bogus[\s\S]*hubcap serve \[--port N\]/);
  });
});
