/** The layer rules are real: lint fails when core code imports electron or the renderer reaches past the contract. */
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('lint-enforced layers', () => {
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
      ["import { AccountService } from '../auth/account';\nexport const a = AccountService;\n", 'src-main/library/example.ts'],
      ["import { Core } from '../core/core';\nexport const c = Core;\n", 'src-main/inference/example.ts'],
      ["import { Core } from '../../core/core';\nexport const c = Core;\n", 'src-main/inference/host/example.ts'],
      ["import { startServer } from '../serve/server';\nexport const s = startServer;\n", 'src-main/core/example.ts'],
      ["import { CacheIndex } from '../cache/index';\nexport const c = CacheIndex;\n", 'src-main/settings/example.ts'],
      ["import { HubHttp } from '../hub/http';\nexport const h = HubHttp;\n", 'src-main/app/example.ts'],
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
});
