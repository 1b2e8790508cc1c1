/**
 * Lint a snippet as if it were a file of this project and list the rules it breaks: the lint
 * walls' tests (test/lint, the renderer shell's imports) hold the rules to what they promise.
 */
import { beforeAll } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

export async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

/**
 * Call at a suite's top: the first lint loads the config and TypeScript's program (~5 s alone,
 * past 20 s on a loaded two-core CI box, where a rule check once timed out on it). Paid here, once,
 * outside the rule checks' own timeouts.
 */
export function warmLint(): void {
  beforeAll(async () => {
    await ruleIds('export const warm = 1;\n', 'src-main/base/warm.ts');
  }, 180_000);
}
