/** No hall-sized files: lint fails on a source file past 400 lines or a function past 120 (#27.3). */
import { describe, expect, it } from 'vitest';
import { ruleIds, warmLint } from '../helpers/lint-rules';

const fn = (name: string, lines: number) => `export function ${name}(): number {\n  let n = 0;\n${'  n += 1;\n'.repeat(lines - 4)}  return n;\n}\n`;

describe('lint-enforced sizes', () => {
  warmLint();
  it('refuses a function over 120 lines in the core and the renderer, and allows one of 120', async () => {
    for (const file of ['src-main/cache/example.ts', 'src-renderer/pages/example/example.ts']) {
      expect(await ruleIds(fn('long', 123), file)).toContain('max-lines-per-function');
      expect(await ruleIds(fn('fits', 120), file)).not.toContain('max-lines-per-function');
    }
  });

  it('refuses a source file over 400 lines', async () => {
    const many = Array.from({ length: 50 }, (_, i) => fn(`f${i}`, 8)).join('\n');
    expect(many.split('\n').length).toBeGreaterThan(400);
    expect(await ruleIds(many, 'src-main/downloads/example.ts')).toContain('max-lines');
  });
});
