/** The wall that keeps zod out of the renderer's first chunk: the shell takes only types from the contract's schema modules. */
import { describe, expect, it } from 'vitest';
import { ruleIds, warmLint } from '../../helpers/lint-rules';
const RULE = '@typescript-eslint/no-restricted-imports';

describe("the renderer shell's contract imports", () => {
  warmLint();
  it('refuses a value from a schema module in the shell, allows its types', async () => {
    const value = "import { isTerminal } from '../../src-main/contract/downloads';\nexport const t = isTerminal;\n";
    for (const file of ['src-renderer/app/Example.tsx', 'src-renderer/api/example.ts', 'src-renderer/components/Example.tsx', 'src-renderer/main.tsx'])
      expect(await ruleIds(value, file), file).toContain(RULE);
    const types = "import type { DownloadJob } from '../../src-main/contract/downloads';\nexport const jobs: DownloadJob[] = [];\n";
    expect(await ruleIds(types, 'src-renderer/app/Example.tsx')).not.toContain(RULE);
  });

  it('allows the zod-free modules in the shell, and values anywhere in the lazy pages', async () => {
    const free = [
      "import { isTerminal } from '../../src-main/contract/present/job-state';\nexport const t = isTerminal;\n",
      "import { ApiError } from '../../src-main/contract/errors';\nexport const e = ApiError;\n",
      "import { WS_PATH } from '../../src-main/contract/wire';\nexport const w = WS_PATH;\n",
    ];
    for (const code of free) expect(await ruleIds(code, 'src-renderer/app/Example.tsx')).not.toContain(RULE);
    const page = "import { isTerminal } from '../../../src-main/contract/downloads';\nexport const t = isTerminal;\n";
    expect(await ruleIds(page, 'src-renderer/pages/downloads/Example.tsx')).not.toContain(RULE);
  });
});
