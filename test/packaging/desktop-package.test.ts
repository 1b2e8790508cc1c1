/**
 * Packaging smoke test: `electron-builder --dir` for linux-x64 with the real electron-builder.yml,
 * against a stand-in Electron distribution (the binary cannot be downloaded here). Only what a
 * placeholder cannot take is switched off, for this test alone: fuses (flipped inside the real
 * binary) and the native rebuild (it fetches Electron's headers; every native module we ship is
 * N-API, so none needs it). The tree it builds is then read as a user's machine would get it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { builtinModules } from 'node:module';
import * as asar from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  desktopName: string;
};
const ELECTRON_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;

let work: string;
let appDir: string;
let resources: string;
let entries: Set<string>;

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'out/main/index.js'))) throw new Error('Build first (npm run build): the package is made from out/.');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hubcap-package-'));
  // The stand-in: an executable named as Electron's, and the files electron-builder expects beside it.
  const dist = path.join(work, 'electron-dist');
  fs.mkdirSync(path.join(dist, 'resources'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n', { mode: 0o755 });
  fs.writeFileSync(path.join(dist, 'version'), ELECTRON_VERSION);
  fs.writeFileSync(path.join(dist, 'LICENSE'), 'stand-in');
  const config = path.join(work, 'electron-builder.test.yml');
  fs.writeFileSync(
    config,
    [
      `extends: ${JSON.stringify(path.join(ROOT, 'electron-builder.yml'))}`,
      `electronDist: ${JSON.stringify(dist)}`,
      `electronVersion: ${ELECTRON_VERSION}`,
      'electronFuses: null',
      'npmRebuild: false',
      `afterPack: ${JSON.stringify(path.join(ROOT, 'test/packaging/write-desktop-integration.cjs'))}`,
      'directories:',
      `  output: ${JSON.stringify(path.join(work, 'dist'))}`,
      '',
    ].join('\n'),
  );
  const run = spawnSync(path.join(ROOT, 'node_modules/.bin/electron-builder'), ['--linux', '--x64', '--dir', '--config', config], {
    cwd: ROOT,
    encoding: 'utf8',
    // Nothing may be downloaded: an unreachable proxy makes any attempt fail loudly instead.
    env: { ...process.env, CI: 'true', ELECTRON_BUILDER_OFFLINE: 'true', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' },
    timeout: 240_000,
  });
  if (run.status !== 0) throw new Error(`electron-builder failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  appDir = path.join(work, 'dist/linux-unpacked');
  resources = path.join(appDir, 'resources');
  entries = new Set(asar.listPackage(path.join(resources, 'app.asar'), { isPack: false }).map((e) => e.split(path.sep).join('/')));
}, 300_000);
afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Top-level packages in the asar's node_modules (scoped ones as @scope/name). */
function shippedPackages(): Set<string> {
  const names = new Set<string>();
  for (const e of entries) {
    const m = /^\/node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(e);
    if (m?.[1] && !/^@[^/]+$/.test(m[1])) names.add(m[1]);
  }
  return names;
}

function filesUnder(dir: string): string[] {
  return fs.existsSync(dir)
    ? (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name))
    : [];
}

describe('the linux-x64 desktop package', () => {
  it('holds the built main, preload, renderer, CLI and inference-host bundles in app.asar', () => {
    for (const file of [
      '/package.json',
      '/out/main/index.js',
      '/out/main/cli.js',
      '/out/main/inference-host.js',
      '/out/preload/preload.cjs',
      '/out/renderer/index.html',
      '/bin/hubcap.js',
    ])
      expect(entries.has(file), file).toBe(true);
    expect([...entries].some((e) => /^\/out\/renderer\/assets\/index-.*\.js$/.test(e))).toBe(true);
    expect(fs.existsSync(path.join(appDir, 'hubcap'))).toBe(true);
  });

  it('unpacks every native module that must load from disk, for this platform only', () => {
    const unpacked = path.join(resources, 'app.asar.unpacked/node_modules');
    const natives = (dir: string) => filesUnder(path.join(unpacked, dir)).filter((f) => f.endsWith('.node'));
    expect(natives('@node-llama-cpp/linux-x64').length).toBeGreaterThan(0);
    expect(natives('@napi-rs/keyring-linux-x64-gnu').length).toBeGreaterThan(0);
    expect(natives('fd-lock/prebuilds/linux-x64').length).toBeGreaterThan(0);
    // node-llama-cpp reads these beside its binaries at run time.
    expect(fs.existsSync(path.join(unpacked, 'node-llama-cpp/llama/binariesGithubRelease.json'))).toBe(true);
    // No binary for another CPU, and not llama.cpp's source (Hubcap never builds it).
    expect(fs.readdirSync(path.join(unpacked, '@node-llama-cpp')).filter((d) => !/^linux-x64(-|$)/.test(d))).toEqual([]);
    expect(fs.existsSync(path.join(unpacked, 'node-llama-cpp/llama/gitRelease.bundle'))).toBe(false);
    // Every .node the asar lists is really outside it.
    for (const e of entries) if (e.endsWith('.node')) expect(fs.existsSync(path.join(resources, 'app.asar.unpacked', e)), e).toBe(true);
  });

  it('ships production dependencies only, every one the bundles import, and nothing from test/, bench/ or the sources', () => {
    const prod = new Set(
      execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' })
        .split('\n')
        .map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(p)?.[1])
        .filter((n): n is string => Boolean(n)),
    );
    const shipped = shippedPackages();
    expect([...shipped].filter((n) => !prod.has(n))).toEqual([]);
    for (const dev of Object.keys(pkg.devDependencies)) if (!prod.has(dev)) expect(shipped.has(dev), dev).toBe(false);
    expect([...entries].filter((e) => /^\/(test|bench|src-main|src-renderer|docs|\.ci)(\/|$)/.test(e) || e.endsWith('.map'))).toEqual([]);
    // Each bare import of the main-process bundles resolves to a shipped package.
    const builtins = new Set([...builtinModules, 'electron']);
    const imported = new Set<string>();
    for (const e of entries) {
      if (!/^\/out\/(main|preload)\/.*\.(c?js|mjs)$/.test(e)) continue;
      // Comments are dropped first: a sentence such as 'from "pending" to …' is not an import.
      const source = asar
        .extractFile(path.join(resources, 'app.asar'), e.slice(1))
        .toString('utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      for (const m of source.matchAll(
        /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']((?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*(?:\/[\w.\-/]*)?|node:[\w/]+)["']/g,
      )) {
        const spec = m[1] as string;
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
        if (!builtins.has(name)) imported.add(name);
      }
    }
    expect(imported.size).toBeGreaterThan(3);
    expect([...imported].filter((n) => !shipped.has(n))).toEqual([]);
  });

  it('declares a desktop entry that opens .gguf files, and the MIME type it claims', () => {
    const integration = path.join(appDir, '..', 'desktop-integration');
    const entry = fs.readFileSync(path.join(integration, pkg.desktopName), 'utf8');
    expect(entry).toMatch(/^\[Desktop Entry\]$/m);
    expect(entry).toMatch(/^Name=Hubcap$/m);
    expect(entry).toMatch(/^Exec=\/opt\/Hubcap\/hubcap %U$/m);
    expect(entry).toMatch(/^MimeType=.*application\/x-gguf;/m);
    expect(entry).toMatch(/^StartupWMClass=hubcap$/m);
    const mime = fs.readFileSync(path.join(integration, 'hubcap.xml'), 'utf8');
    expect(mime).toMatch(/<mime-type type="application\/x-gguf">\s*<glob pattern="\*\.gguf"\/>/);
  });

  it('reports its size, for docs/performance.md', () => {
    const size = (dir: string) => filesUnder(dir).reduce((sum, f) => sum + fs.statSync(f).size, 0);
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    const asarSize = fs.statSync(path.join(resources, 'app.asar')).size;
    const unpacked = size(path.join(resources, 'app.asar.unpacked'));
    console.log(`[package] app.asar ${mb(asarSize)}, app.asar.unpacked ${mb(unpacked)} (without the Electron binary)`);
    expect(asarSize).toBeGreaterThan(1e6);
    expect(asarSize).toBeLessThan(100e6);
  });
});
