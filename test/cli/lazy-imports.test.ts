/**
 * The CLI's start stays cheap (#25): the command table (`cli/table/`) holds each command's name,
 * options and usage and imports its handler only when the command runs, so `hubcap --version`,
 * `--help` and a usage error load no package at all (zod through the contract and @huggingface/hub
 * were ~120 module files at every start), and `download` loads only its own capabilities' code
 * (core/download-core.ts) and does not load serve's server,
 * @huggingface/hub nor, for a file not in Xet, the Xet packages. Checked on the source (each file's static imports) and on real processes,
 * through a module hook that records every package they import.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeHub } from '../helpers/hub';
import { cliEnv } from '../helpers/cli';
import { collect } from '../helpers/process';
import { tmpDir } from '../helpers/tmp';

const CLI_DIR = path.join(import.meta.dirname, '../../src-main/cli');
const ENTRY = path.join(CLI_DIR, 'hubcap.ts');
const HEAVY = ['../core/core', '../rpc/dispatch', '../inference/host-client', '../serve/server', '../settings/conf-backend', 'conf', 'ws'];

/** Static value imports (not `import type`) of a source file. */
function staticImports(source: string): string[] {
  return [...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)';/gms)].map((m) => m[1] as string);
}

/**
 * A module hook (Node's `register`) appending each package specifier a process imports, and the
 * importing file, to the file named by HUBCAP_TEST_IMPORT_LOG.
 */
function importRecorder(dir: string): string {
  const hooks = `
import fs from 'node:fs';
export async function resolve(specifier, context, next) {
  if (!/^(node:|\\.|\\/|file:|data:)/.test(specifier) && !context.parentURL?.includes('/node_modules/'))
    fs.appendFileSync(process.env.HUBCAP_TEST_IMPORT_LOG, specifier + ' <- ' + context.parentURL + '\\n');
  const found = await next(specifier, context);
  if (found.url.includes('/src-main/')) fs.appendFileSync(process.env.HUBCAP_TEST_IMPORT_LOG, 'source ' + found.url + '\\n');
  return found;
}`;
  const file = path.join(dir, 'record-imports.mjs');
  // At exit, also the Node internals it loaded that are named undici (fetch's implementation).
  const atExit = `process.on('exit', () => { for (const m of process.moduleLoadList) if (m.includes('undici')) fs.appendFileSync(process.env.HUBCAP_TEST_IMPORT_LOG, 'internal ' + m + '\\n'); });`;
  fs.writeFileSync(
    file,
    `import fs from 'node:fs';\nimport { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));\n${atExit}\n`,
  );
  return file;
}

/** Runs the CLI from source (tsx) and returns its exit code, the packages it imported (outside tsx's own) and our source files it loaded. */
async function packagesImported(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; packages: string[]; sources: string[]; internals: string[]; stderr: string }> {
  const dir = tmpDir();
  const log = path.join(dir, 'imports.log');
  fs.writeFileSync(log, '');
  const home = env.HOME ?? dir;
  const p = spawn(process.execPath, ['--import', 'tsx', '--import', importRecorder(dir), ENTRY, ...args], {
    env: { PATH: process.env.PATH, HOME: home, HUBCAP_DATA_DIR: path.join(home, 'data'), HUBCAP_TEST_IMPORT_LOG: log, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { code, stderr } = await collect(p, 120_000);
  const lines = fs.readFileSync(log, 'utf8').split('\n');
  const packages = lines.filter((line) => line.includes(' <- ') && line.includes('/src-main/')).map((line) => line.split(' <- ')[0] as string);
  const sources = lines.filter((line) => line.startsWith('source ')).map((line) => line.slice(line.indexOf('/src-main/') + 1));
  const internals = lines.filter((line) => line.startsWith('internal ')).map((line) => line.slice('internal '.length));
  return { code, packages: [...new Set(packages)].sort(), sources: [...new Set(sources)].sort(), internals, stderr };
}

describe('CLI start', () => {
  it('no command file imports the core or a server at its top; the handlers import them when run', () => {
    const offenders: string[] = [];
    for (const name of fs.readdirSync(CLI_DIR).filter((n) => n.endsWith('.ts'))) {
      for (const spec of staticImports(fs.readFileSync(path.join(CLI_DIR, name), 'utf8'))) if (HEAVY.includes(spec)) offenders.push(`${name}: ${spec}`);
    }
    expect(offenders).toEqual([]);
    // The handlers still reach them.
    const context = fs.readFileSync(path.join(CLI_DIR, 'context.ts'), 'utf8');
    expect(context).toContain("await import('../core/core')");
    expect(fs.readFileSync(path.join(CLI_DIR, 'serve.ts'), 'utf8')).toContain("await import('../serve/server')");
  });

  it('the table entries import nothing but the table helpers; each handler is imported when its command runs', () => {
    const tableDir = path.join(CLI_DIR, 'table');
    const files = fs.readdirSync(tableDir).filter((n) => n.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const name of files) {
      const source = fs.readFileSync(path.join(tableDir, name), 'utf8');
      expect(staticImports(source), name).toEqual(['../command']);
      expect(source, name).toMatch(/run: handler\(async \(\) => \(await import\('\.\.\/[a-z-]+'\)\)\.\w+\)/);
    }
  });

  it('--version, --help and usage errors import no package (no zod, no @huggingface/hub)', async () => {
    for (const args of [['--version'], ['--help'], ['download', '--help'], ['no-such-command'], ['cache'], ['download', '--no-such-flag']]) {
      const { code, packages, stderr } = await packagesImported(args);
      expect([0, 1, 2], `${args.join(' ')}: ${stderr}`).toContain(code);
      expect(packages, args.join(' ')).toEqual([]);
    }
  }, 120_000);

  it('download loads only its own capabilities, neither serve’s WebSocket server, @huggingface/hub, the Xet packages nor undici, and still downloads', async () => {
    const hub = await fakeHub();
    const env = cliEnv(hub.url);
    const { code, packages, sources, internals, stderr } = await packagesImported(
      ['download', 'acme/tiny-llm', 'README.md', 'tiny-llm-Q4_K_M.gguf', '--quiet'],
      env,
    );
    expect(code, stderr).toBe(0);
    // Its core is the download engine and what it stands on (core/download-core.ts): no other
    // capability's code, nor the whole contract and its dispatcher (the request is checked by its own domain's schema).
    expect(sources).toContain('src-main/core/download-core.ts');
    const others = ['library', 'inference', 'chat', 'apps', 'export', 'publish', 'localapi', 'mirror', 'updates', 'desktop', 'serve'];
    expect(sources.filter((s) => others.some((o) => s.startsWith(`src-main/${o}/`)))).toEqual([]);
    expect(sources).not.toContain('src-main/core/core.ts');
    expect(sources).not.toContain('src-main/core/slices.ts');
    expect(sources).not.toContain('src-main/contract/api.ts');
    expect(sources).not.toContain('src-main/rpc/dispatch.ts');
    expect(packages).toContain('zod'); // the contract validates the request, as in the app
    expect(packages).not.toContain('ws');
    expect(packages).not.toContain('@huggingface/hub');
    // The Xet packages load on first use (xet/packages.ts), and a file not in Xet never uses them.
    expect(packages).not.toContain('@huggingface/xetchunk-wasm');
    expect(packages).not.toContain('lz4-napi');
    // The lock's addon is required at the first lock (cache/blob-lock.ts), not imported: an import
    // of a CommonJS package starts Node's CJS-export lexer too, ~10 ms of a short download.
    expect(packages).not.toContain('fd-lock');
    // Its Hub requests answer with hub/web-response.ts's Headers and Response: the first touch of
    // Node's own (undici's) costs a short download 38 ms of loading.
    expect(internals).toEqual([]);
    expect(fs.readdirSync(path.join(env.HF_HUB_CACHE, 'models--acme--tiny-llm', 'blobs'))).toHaveLength(2);
  }, 120_000);
});
