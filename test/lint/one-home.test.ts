/** #27.2 is held by lint: a second hash-shaped id pattern, or a process.env read, anywhere in src-main but their one home fails. */
import { describe, expect, it } from 'vitest';
import { ruleIds, warmLint } from '../helpers/lint-rules';

describe('one home per fact', () => {
  warmLint();
  const copies = [
    'export const COMMIT = /^[0-9a-f]{40}$/;\n',
    'export const SHA = /^[0-9a-f]{64}$/i;\n',
    "export const COMMIT = new RegExp('^[0-9a-f]{40}$');\n",
    'export const COMMIT = String.raw`[0-9a-f]{40}`;\n',
  ];

  it('refuses a second commit-id or sha256 pattern in any folder, including those with the untrusted-file wall', async () => {
    for (const folder of ['hub', 'downloads', 'mirror', 'contract', 'cli', 'settings'])
      for (const code of copies) expect(await ruleIds(code, `src-main/${folder}/example.ts`), `${folder}: ${code}`).toContain('no-restricted-syntax');
  });

  it('allows the one home, importing from it, and the untrusted-file wall still holds beside it', async () => {
    expect(await ruleIds(copies[0] as string, 'src-main/contract/ids.ts')).not.toContain('no-restricted-syntax');
    const imported = "import { COMMIT_RE } from '../contract/ids';\nexport const ok = (s: string) => COMMIT_RE.test(s);\n";
    expect(await ruleIds(imported, 'src-main/downloads/example.ts')).not.toContain('no-restricted-syntax');
    const open = "import fs from 'node:fs';\nexport const f = (p: string) => fs.readFileSync(p);\n";
    expect(await ruleIds(open, 'src-main/cache/example.ts')).toContain('no-restricted-syntax');
    expect(await ruleIds('export const n = /x{4}/;\n', 'src-main/hub/example.ts')).not.toContain('no-restricted-syntax');
  });

  it('refuses process.env outside the environment module, in any form', async () => {
    const reads = ['export const x = process.env.HF_TOKEN;\n', "export const x = process['env'];\n", 'const { env } = process;\nexport const x = env.HOME;\n'];
    for (const folder of ['cli', 'downloads', 'core', 'electron', 'inference'])
      for (const code of reads) expect(await ruleIds(code, `src-main/${folder}/example.ts`), `${folder}: ${code}`).toContain('no-restricted-syntax');
    expect(await ruleIds(reads[0] as string, 'src-main/hub/hf-env.ts')).not.toContain('no-restricted-syntax');
    expect(await ruleIds("import { processEnv } from '../hub/hf-env';\nexport const x = processEnv().HOME;\n", 'src-main/cli/example.ts')).not.toContain(
      'no-restricted-syntax',
    );
  });
});
