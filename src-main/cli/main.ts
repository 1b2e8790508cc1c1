/**
 * The `hubcap` command line. Plain Node: it never imports electron, so it runs on servers and pods
 * without a desktop. Commands share the same core as the desktop app.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServer } from '../serve/server';
import { appVersion } from '../app/versions';
import { downloadCommand } from './download';
import { cacheCommand } from './cache';
import { appsCommand } from './apps';
import { uploadCommand } from './upload';
import { apiCommand, isLoopback, keyLine, startCliApi } from './api';
import { hostCore, inferenceLauncher } from './context';
import type { LocalApi } from '../localapi/server';
import { stopOnSignals } from './signals';
import { endpointLine, mirrorCommand, mirrorNotes, startCliMirror, type CliMirror } from './mirror';
import { accountCommand } from './login';

const USAGE = `Usage:
  hubcap serve [--port N] [--host ADDR]          Serve the Hubcap UI to a browser (loopback by default)
         [--api-port N] [--show-key]             …and the local OpenAI-compatible API on its own port
                                                 (its key printed masked unless --show-key)
         [--mirror-port N]                       …and the Hub mirror of this cache on its own port
  hubcap download REPO [FILES|PATTERNS…]         Download into the Hugging Face cache
         [--revision R] [--cache-dir D] [--repo-type model|dataset] [--json]
         [--force]                               (rehash what is there; fetch again what is corrupt)
  hubcap cache ls [--json]                       List cached repos, revisions and sizes
  hubcap cache rm REPO[@REVISION]… [--dry-run]   Delete from the cache (shows what it frees)
  hubcap cache prune [--dry-run]                 Remove stale unfinished downloads and detached revisions
  hubcap cache verify [REPO]                     Rehash blobs and report corrupt ones
  hubcap cache mv NEW_FOLDER                     Move the whole cache (another drive too; resumable)
  hubcap scan-apps [FOLDER…] [--hash] [--json]   Find models other apps downloaded (LM Studio, Ollama,
                                                 llama.cpp, Jan, GPT4All, text-generation-webui, ComfyUI)
         [--reclaim [--dry-run] [--link]]        (free the space the cache duplicates of them: by clone;
                                                 --link allows hard links, which share the app's bytes)
  hubcap adopt PATH… [--repo ORG/NAME] [--file F] Put a file already on disk into the Hugging Face cache,
         [--revision R] [--mode auto|clone|link|copy] [--dry-run] [--json]   confirmed by sha256, no download
                                                 (auto: a clone, else a copy; link only when asked)
  hubcap upload REPO [PATH…]                     Publish files or folders to your own Hub repo (created if
         [--path-in-repo P] [--revision BRANCH]   missing, private unless --public); unchanged files skipped
         [--create-pr] [--message M] [--include GLOB] [--exclude GLOB] [--repo-type model|dataset]
         [--license ID] [--public] [--dry-run] [--json]
  hubcap api [--port N] [--host ADDR]            The local OpenAI-compatible API alone (http://127.0.0.1:8484/v1;
         [--parallel auto|N] [--cors ORIGIN] [--show-key]  key from HUBCAP_API_KEY, else the OS keychain)
  hubcap mirror [--port N] [--host ADDR]         This cache as a read-only Hub for other machines
         [--allow NETS] [--rate-limit RATE]      (first line: the HF_ENDPOINT to give them, key masked
         [--cache-only] [--show-key] [--json]    unless --show-key; --allow 10.0.0.0/8,…; RATE like 50M;
                                                 public repos it lacks are fetched once unless --cache-only)
  hubcap login [--name N]                        Keep a Hub token in the OS keychain (read from stdin, never an argument)
  hubcap logout [NAME] | hubcap whoami [--json]  Forget it; say which token is in use
  hubcap --version

Honours HF_ENDPOINT, HF_HUB_CACHE / HF_HOME, HF_HUB_OFFLINE, HF_TOKEN and the token file.
`;

class UsageError extends Error {}

async function serve(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'api-port': { type: 'string' },
      'mirror-port': { type: 'string' },
      'show-key': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${values.port}`);
  const host = values.host ?? '127.0.0.1';
  // HUBCAP_UI_DIR: a built UI elsewhere, for running the CLI from its TypeScript source (tests, development).
  const rendererDir = process.env.HUBCAP_UI_DIR ?? fileURLToPath(new URL('../renderer/', import.meta.url));
  if (!fs.existsSync(`${rendererDir}/index.html`)) throw new Error(`the UI is not built (${rendererDir}); run \`npm run build\``);

  const core = hostCore('serve', { inferenceLauncher: inferenceLauncher() });
  for (const warning of core.settings.warnings) console.error(`hubcap: warning: ${warning}`);
  const server = await startServer({ core, rendererDir, host, port });
  if (!isLoopback(host)) {
    console.error(`hubcap: warning: listening on ${host}; anyone who can reach it and has the key controls Hubcap.`);
  }
  process.stdout.write(`Hubcap is serving on ${server.url}\n`);
  // The local OpenAI-compatible API beside the UI, on its own port and the same address.
  let api: LocalApi | null = null;
  if (values['api-port'] !== undefined) {
    const apiPort = Number(values['api-port']);
    if (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535) throw new UsageError(`--api-port must be 0-65535, got ${values['api-port']}`);
    // The key is the Settings service's, asked at every request: "New key" in the UI retires the old one here at once.
    api = await startCliApi(core, { host, port: apiPort, parallel: core.settings.get().localApi.parallel });
    process.stdout.write(`Local API on ${api.url}\n`);
    process.stderr.write(keyLine(core.localApi.currentKey(), values['show-key'], ', Settings › Local API shows and replaces it'));
  }
  // The Hub mirror of this cache beside the UI, on its own port and the same address.
  let mirror: CliMirror | null = null;
  if (values['mirror-port'] !== undefined) {
    const mirrorPort = Number(values['mirror-port']);
    if (!Number.isInteger(mirrorPort) || mirrorPort < 0 || mirrorPort > 65535)
      throw new UsageError(`--mirror-port must be 0-65535, got ${values['mirror-port']}`);
    mirror = await startCliMirror(core, { host, port: mirrorPort });
    process.stdout.write(`Hub mirror on ${endpointLine(mirror, values['show-key'])}\n`);
    process.stderr.write(mirrorNotes(mirror, host, values['show-key']));
  }
  stopOnSignals(() => Promise.all([server.close(), api?.close(), mirror?.mirror.close(), core.close()]));
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        await serve(rest);
        return 0;
      case 'download':
        return await downloadCommand(rest);
      case 'cache':
        return await cacheCommand(rest);
      case 'upload':
        return await uploadCommand(rest);
      case 'api':
        await apiCommand(rest);
        return 0;
      case 'mirror':
        await mirrorCommand(rest);
        return 0;
      case 'scan-apps':
      case 'adopt':
        return await appsCommand(command, rest);
      case 'login':
      case 'logout':
      case 'whoami':
        return await accountCommand(command, rest);
      case '--version':
      case '-v':
        process.stdout.write(`${appVersion}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 1 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    process.stderr.write(`hubcap: ${message}\n`);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(USAGE);
    return error instanceof UsageError ? 2 : 1;
  }
}
