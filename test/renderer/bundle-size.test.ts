/**
 * The renderer's first chunk, as production builds it (electron.vite.config.ts, into a temporary
 * folder): the entry script and what it imports statically, all a window loads before its first
 * paint. Bounded in size, minified, and without zod or yaml, which only some pages need.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build, type InlineConfig } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';
import config from '../../electron.vite.config';
import { tmpDir } from '../helpers/tmp';

const LIMIT = 900 * 1024;

/** The entry's file and every chunk it imports statically, transitively (index.html names the entry). */
function firstChunk(outDir: string): Map<string, string> {
  const html = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
  const entry = /<script type="module"[^>]*src="\.?\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
  if (!entry) throw new Error(`no module script in index.html:\n${html}`);
  return staticClosure(outDir, entry);
}

/** A chunk and every chunk it imports statically, transitively: what loads before it runs. */
function staticClosure(outDir: string, entry: string): Map<string, string> {
  const files = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    const code = fs.readFileSync(path.join(outDir, file), 'utf8');
    files.set(file, code);
    // Static imports only (`import{…}from"./x.js"`, `import"./x.js"`); `import("./x.js")` is a lazy page.
    for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w${},\s*]+from\s*)?["']\.\/([\w.-]+\.js)["']/g)) visit(path.posix.join('assets', m[1] as string));
  };
  visit(entry);
  return files;
}

describe('renderer first chunk', () => {
  let files: Map<string, string>;
  let all: string[];
  let gallery: Map<string, string>;

  beforeAll(async () => {
    const outDir = tmpDir();
    const renderer = config.renderer as InlineConfig;
    // electron-vite's own default base for the renderer (app:// and serve load it relatively).
    await build({ base: './', ...renderer, configFile: false, logLevel: 'error', build: { ...renderer.build, outDir, emptyOutDir: true } });
    files = firstChunk(outDir);
    all = fs.readdirSync(path.join(outDir, 'assets')).filter((f) => f.endsWith('.js'));
    const page = all.find((f) => f.startsWith('GalleryPage-'));
    gallery = page ? staticClosure(outDir, path.posix.join('assets', page)) : new Map();
  }, 180_000);

  it(`stays within ${LIMIT / 1024} KiB, minified, with each page in a chunk of its own`, () => {
    const bytes = [...files.values()].reduce((a, code) => a + Buffer.byteLength(code), 0);
    expect(bytes, [...files.keys()].join(', ')).toBeLessThanOrEqual(LIMIT);
    // Minified: a production chunk is a few long lines, not one statement a line.
    for (const [file, code] of files) expect(code.split('\n').length, file).toBeLessThan(code.length / 1000 + 20);
    // The pages load when shown: none is in the first chunk, each has its own.
    for (const page of ['GalleryPage', 'LibraryPage', 'CachePage', 'ChatPage', 'SettingsPage', 'PublishPage', 'ModelPage']) {
      expect(
        all.some((f) => f.startsWith(`${page}-`)),
        page,
      ).toBe(true);
      expect(
        [...files.keys()].some((f) => f.includes(page)),
        page,
      ).toBe(false);
    }
  });

  it('shows the Gallery, the first page, without loading zod', () => {
    expect(gallery.size).toBeGreaterThan(0);
    for (const [file, code] of gallery) expect(code.includes('_zod'), `zod in ${file}`).toBe(false);
  });

  it('leaves zod and yaml to the pages that need them', () => {
    for (const [file, code] of files) {
      // zod 4's objects carry a `_zod` property (property names survive minification).
      expect(code.includes('_zod'), `zod in ${file}`).toBe(false);
      expect(code.includes('YAMLParseError'), `yaml in ${file}`).toBe(false);
    }
  });
});
