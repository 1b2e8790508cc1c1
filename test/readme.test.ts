import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const ci = fs.readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');

/** The commands of the README's first code block, without their comments. */
function readmeCommands(): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
}

describe('README and CI agree', () => {
  it('opens with two commands: install and start, install and test', () => {
    expect(readme.indexOf('```sh')).toBeLessThan(40);
    expect(readmeCommands()).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  });

  it('.ci/run runs exactly the README test command', () => {
    const lastCommand = ci
      .trim()
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#'))
      .pop();
    expect(lastCommand).toBe(readmeCommands()[1]);
  });
});
