/**
 * The CLI's start stays cheap: the command table and the command files import the core, the
 * contract's dispatcher, the inference client, serve's WebSocket server and conf only inside the
 * handlers that use them (dynamic import), so `hubcap --version`, `--help` and a usage error load
 * none of them and `download` does not load serve's server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI_DIR = path.join(import.meta.dirname, '../../src-main/cli');
const HEAVY = ['../core/core', '../rpc/dispatch', '../inference/host-client', '../serve/server', '../settings/conf-backend', 'conf', 'ws'];

/** Static value imports (not `import type`) of a source file. */
function staticImports(source: string): string[] {
  return [...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)';/gms)].map((m) => m[1] as string);
}

describe('CLI start', () => {
  it('no command file imports the core or a server at its top; the handlers import them when run', () => {
    const offenders: string[] = [];
    for (const name of fs.readdirSync(CLI_DIR).filter((n) => n.endsWith('.ts'))) {
      for (const spec of staticImports(fs.readFileSync(path.join(CLI_DIR, name), 'utf8'))) if (HEAVY.includes(spec)) offenders.push(`${name}: ${spec}`);
    }
    expect(offenders).toEqual([]);
    // The handlers still reach them.
    const context = fs.readFileSync(path.join(CLI_DIR, 'context.ts'), 'utf8');
    expect(context).toContain("await import('../core/core')");
    expect(fs.readFileSync(path.join(CLI_DIR, 'serve.ts'), 'utf8')).toContain("await import('../serve/server')");
  });
});
