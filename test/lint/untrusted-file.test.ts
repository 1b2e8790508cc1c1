/** The #23 wall is real: in folders that handle paths others control, files open only through untrusted-file.ts. */
import { describe, expect, it } from 'vitest';
import { ruleIds, warmLint } from '../helpers/lint-rules';

describe('opening files others control', () => {
  warmLint();
  const opens = [
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.promises.open(p, 'r');\n",
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.readFileSync(p);\n",
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.createReadStream(p);\n",
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.openSync(p, 'r');\n",
    "import fsp from 'node:fs/promises';\nexport const f = (p: string) => fsp.readFile(p);\n",
    "import { readFile } from 'node:fs/promises';\nexport const f = (p: string) => readFile(p);\n",
    "import { createReadStream } from 'node:fs';\nexport const f = (p: string) => createReadStream(p);\n",
    // Copies and in-place writes open their target or source too (a FIFO blocks them; a link is followed).
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.promises.copyFile(p, 'x');\n",
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.copyFileSync(p, 'x');\n",
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.writeFileSync(p, '');\n",
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.promises.writeFile(p, '');\n",
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.createWriteStream(p);\n",
    "import fs from 'node:fs';\nexport const f = (p: string) => fs.appendFileSync(p, '');\n",
    // Destructured, the same calls.
    "import fs from 'node:fs';\nconst { open } = fs.promises;\nexport const f = (p: string) => open(p, 'r');\n",
    "import fs from 'node:fs';\nconst { readFileSync } = fs;\nexport const f = (p: string) => readFileSync(p);\n",
  ];

  it('refuses a plain open in every folder that reads other apps’ files, the cache, drops or publish sources', async () => {
    for (const folder of ['apps', 'library', 'publish', 'cache', 'downloads', 'account'])
      for (const code of opens) expect(await ruleIds(code, `src-main/${folder}/example.ts`), `${folder}: ${code}`).toContain('no-restricted-syntax');
  });

  it('allows the module itself, our own records through readOwnFileSync, and folders that never see such paths', async () => {
    expect(await ruleIds(opens[0] as string, 'src-main/base/untrusted-file.ts')).not.toContain('no-restricted-syntax');
    const own = "import { readOwnFileSync } from '../base/atomic-write';\nexport const f = (p: string) => readOwnFileSync(p);\n";
    expect(await ruleIds(own, 'src-main/library/example.ts')).not.toContain('no-restricted-syntax');
    const untrusted = "import { openUntrusted } from '../base/untrusted-file';\nexport const f = (p: string) => openUntrusted(p);\n";
    expect(await ruleIds(untrusted, 'src-main/apps/example.ts')).not.toContain('no-restricted-syntax');
    expect(await ruleIds(opens[1] as string, 'src-main/settings/example.ts')).not.toContain('no-restricted-syntax');
  });
});
