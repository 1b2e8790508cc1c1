/**
 * `hubcap serve [--port N] [--host ADDR] [--api-port N] [--mirror-port N] [--show-key]`: the Hubcap UI
 * for a browser over serve's WebSocket, with, on their own ports, the local API and the Hub mirror.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LocalApi } from '../localapi/server';
import { isLoopback, keyLine } from './api';
import { UsageError, type Parsed } from './command';
import type { ServeOptions } from './table/serve';
import { hostCore, inferenceLauncher } from './context';
import { besideEntry } from './entry-url';
import { processEnv, readLocalEnv } from '../hub/hf-env';
import { endpointLine, mirrorNotes, startCliMirror, type CliMirror } from './mirror';
import { stopOnSignals } from './signals';

/** A port option: 0 (any free one) to 65535. */
function portOf(flag: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--${flag} must be 0-65535, got ${value}`);
  return port;
}

export async function serve({ values }: Parsed<ServeOptions>): Promise<number> {
  const port = values.port === undefined ? 0 : portOf('port', values.port);
  const host = values.host ?? '127.0.0.1';
  // HUBCAP_UI_DIR: a built UI elsewhere, for running the CLI from its TypeScript source (tests, development).
  const rendererDir = readLocalEnv(processEnv()).hubcap.uiDir ?? fileURLToPath(besideEntry('../renderer/'));
  if (!fs.existsSync(`${rendererDir}/index.html`)) throw new Error(`the UI is not built (${rendererDir}); run \`npm run build\``);

  const core = await hostCore('serve', { inferenceLauncher: await inferenceLauncher() });
  for (const warning of core.settings.warnings) console.error(`hubcap: warning: ${warning}`);
  // The WebSocket server (ws) is loaded by this command only.
  const { startServer } = await import('../serve/server');
  const server = await startServer({ core, rendererDir, host, port });
  if (!isLoopback(host)) {
    console.error(`hubcap: warning: listening on ${host}; anyone who can reach it and has the key controls Hubcap.`);
  }
  process.stdout.write(`Hubcap is serving on ${server.url}\n`);
  // The local OpenAI-compatible API beside the UI, on its own port and the same address.
  let api: LocalApi | null = null;
  if (values['api-port'] !== undefined) {
    const apiPort = portOf('api-port', values['api-port']);
    // The key is the Settings service's, asked at every request: "New key" in the UI retires the old one here at once.
    api = await core.localApi.listen({ host, port: apiPort, parallel: core.settings.get().localApi.parallel });
    process.stdout.write(`Local API on ${api.url}\n`);
    process.stderr.write(keyLine(core.localApi.currentKey(), values['show-key'], ', Settings › Local API shows and replaces it'));
  }
  // The Hub mirror of this cache beside the UI, on its own port and the same address.
  let mirror: CliMirror | null = null;
  if (values['mirror-port'] !== undefined) {
    mirror = await startCliMirror(core, { host, port: portOf('mirror-port', values['mirror-port']) });
    process.stdout.write(`Hub mirror on ${endpointLine(mirror, values['show-key'])}\n`);
    process.stderr.write(mirrorNotes(mirror, host, values['show-key']));
  }
  stopOnSignals(() => Promise.all([server.close(), api?.close(), mirror?.mirror.close(), core.close()]));
  return 0;
}
