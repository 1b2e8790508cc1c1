/** The layer rules are real: lint fails when core code imports electron or the renderer reaches past the contract. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ruleIds, warmLint } from '../helpers/lint-rules';

describe('lint-enforced layers', () => {
  warmLint();
  it('forbids electron and electron-store outside the shell', async () => {
    expect(await ruleIds("import { app } from 'electron';\nexport const a = app;\n", 'src-main/cache/example.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import Store from 'electron-store';\nexport const s = Store;\n", 'src-main/settings/example.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { wireIpc } from '../electron/ipc';\nexport const w = wireIpc;\n", 'src-main/core/example.ts')).toContain(
      'no-restricted-imports',
    );
  });

  it('allows electron inside the shell', async () => {
    expect(await ruleIds("import { app } from 'electron';\nexport const a = app;\n", 'src-main/electron/example.ts')).not.toContain('no-restricted-imports');
  });

  it('lets the renderer import only the contract', async () => {
    const bad = [
      "import { Core } from '../../src-main/core/core';\nexport const c = Core;\n",
      "import fs from 'node:fs';\nexport const f = fs;\n",
      "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n",
      "import { getLlama } from 'node-llama-cpp';\nexport const g = getLlama;\n",
    ];
    for (const code of bad) expect(await ruleIds(code, 'src-renderer/pages/Example.tsx')).toContain('no-restricted-imports');
    const ok = "import { requests } from '../../src-main/contract/api';\nexport const r = requests;\n";
    expect(await ruleIds(ok, 'src-renderer/pages/Example.tsx')).not.toContain('no-restricted-imports');
  });

  it('keeps the contract free of Node and app code', async () => {
    expect(await ruleIds("import fs from 'node:fs';\nexport const f = fs;\n", 'src-main/contract/example.ts')).toContain('no-restricted-imports');
  });

  it('holds the walls between capabilities: never a higher layer, never a peer', async () => {
    const crossings: [string, string][] = [
      ["import { DownloadManager } from '../downloads/manager';\nexport const d = DownloadManager;\n", 'src-main/hub/example.ts'],
      ["import { Library } from '../library/library';\nexport const l = Library;\n", 'src-main/downloads/example.ts'],
      ["import { AccountService } from '../account/account';\nexport const a = AccountService;\n", 'src-main/library/example.ts'],
      ["import { Core } from '../core/core';\nexport const c = Core;\n", 'src-main/inference/example.ts'],
      ["import { Core } from '../../core/core';\nexport const c = Core;\n", 'src-main/inference/host/example.ts'],
      ["import { startServer } from '../serve/server';\nexport const s = startServer;\n", 'src-main/core/example.ts'],
      ["import { CacheIndex } from '../cache/index';\nexport const c = CacheIndex;\n", 'src-main/settings/example.ts'],
      ["import { HubHttp } from '../hub/http';\nexport const h = HubHttp;\n", 'src-main/base/example.ts'],
    ];
    for (const [code, file] of crossings) expect(await ruleIds(code, file), file).toContain('no-restricted-imports');
    const allowed: [string, string][] = [
      ["import { HubHttp } from '../hub/http';\nexport const h = HubHttp;\n", 'src-main/downloads/example.ts'],
      ["import { CacheIndex } from '../cache/index';\nexport const c = CacheIndex;\n", 'src-main/library/example.ts'],
      ["import { Library } from '../library/library';\nexport const l = Library;\n", 'src-main/inference/example.ts'],
      ["import { Core } from '../core/core';\nexport const c = Core;\n", 'src-main/cli/example.ts'],
      ["import { startServer } from '../serve/server';\nexport const s = startServer;\n", 'src-main/cli/example.ts'],
    ];
    for (const [code, file] of allowed) expect(await ruleIds(code, file), file).not.toContain('no-restricted-imports');
  });

  it('keeps pages and components on the domain hooks, not raw calls', async () => {
    const raw = "import { useApiQuery } from '../../api/context';\nexport const q = useApiQuery;\n";
    expect(await ruleIds(raw, 'src-renderer/pages/cache/Example.tsx')).toContain('no-restricted-imports');
    expect(await ruleIds("import { useApi } from '../api/context';\nexport const a = useApi;\n", 'src-renderer/components/Example.tsx')).toContain(
      'no-restricted-imports',
    );
    const hook = "import { useCacheScan } from '../../api/cache';\nexport const s = useCacheScan;\n";
    expect(await ruleIds(hook, 'src-renderer/pages/cache/Example.tsx')).not.toContain('no-restricted-imports');
    // The domain modules themselves are where raw calls belong.
    expect(await ruleIds("import { useApiQuery } from './context';\nexport const q = useApiQuery;\n", 'src-renderer/api/example.ts')).not.toContain(
      'no-restricted-imports',
    );
  });
});

describe('separate TypeScript projects', () => {
  const read = (name: string) =>
    JSON.parse(fs.readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as {
      compilerOptions?: { types?: string[]; lib?: string[] };
      include?: string[];
    };

  it('gives the renderer browser types and no Node types, and the core no DOM', () => {
    const web = read('tsconfig.web.json');
    expect(web.compilerOptions?.types).toEqual([]);
    expect(web.include).toEqual(['src-renderer']);
    const node = read('tsconfig.node.json');
    expect(node.compilerOptions?.types).toEqual(['node']);
    expect(node.compilerOptions?.lib?.some((l) => l.startsWith('DOM'))).toBe(false);
    expect(node.include).toContain('src-main');
  });

  it('checks every project in npm run typecheck', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
    for (const p of ['tsconfig.node.json', 'tsconfig.web.json', 'tsconfig.test.json']) expect(pkg.scripts.typecheck).toContain(p);
  });
});
