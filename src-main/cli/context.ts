/**
 * What every CLI command shares with the app: the same composition root (settings, account, the
 * Hub, the cache, the download engine) built headless, and the same handlers behind the same
 * contract, so a flag means in the CLI what the matching control means in the app. Differences, on
 * purpose: no inference host, no Hub probe at start, and downloads that are not the app's queue.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Core, CoreOptions } from '../core/core';
import type { DownloadCore } from '../core/download-core';
import type { HostLauncher } from '../inference/host-client';
import type { ParsedInput, RequestInput, RequestName, RequestOutput, Requests } from '../contract/api';
import type { HandlerSlice } from '../contract/handlers';
import type { WireResult } from '../contract/wire';
import { ApiError } from '../contract/errors';
import { processEnv, readHfEnv, readLocalEnv, type Env } from '../hub/hf-env';
import { defaultDataDir } from '../settings/data-dir';
import { besideEntry } from './entry-url';
import { peakRssBytes } from './peak-rss';
import { settingsFileBackend } from './settings-file';

/*
 * The core, the contract's dispatcher and the inference host client are imported when a command
 * first needs them, not when the CLI starts: `hubcap --version`, `--help` and a usage error load
 * none of the core, and each command loads only what its handler reaches.
 */

/** The built inference host beside this bundle, or its TypeScript source through tsx (development, tests). */
export async function inferenceLauncher(): Promise<HostLauncher> {
  const { nodeHostLauncher } = await import('../inference/host-client');
  const here = fileURLToPath(besideEntry('.'));
  const built = path.join(here, 'inference-host.js');
  if (fs.existsSync(built)) return nodeHostLauncher(built, { env: processEnv() });
  return nodeHostLauncher(path.join(here, '../inference/host/main.ts'), { env: processEnv(), execArgv: ['--import', 'tsx'] });
}

/** The options of every command's core: this machine's HOME, data folder and stored settings. */
function hostOptions(transport: 'serve' | 'cli', extra: Partial<CoreOptions>, env: Env): CoreOptions {
  const homeDir = os.homedir();
  return {
    transport,
    env,
    homeDir,
    platform: process.platform,
    dataDir: defaultDataDir(env, homeDir, process.platform),
    settingsBackend: settingsFileBackend,
    uploadWorker: fileURLToPath(besideEntry('./publish-worker.js')),
    xetDecodeWorker: fileURLToPath(besideEntry('./xet-decode-worker.js')),
    ...extra,
  };
}

/** The core with this machine's HOME, data folder and stored settings, for every command. */
export async function hostCore(transport: 'serve' | 'cli', extra: Partial<CoreOptions> = {}, env: Env = processEnv()): Promise<Core> {
  const { createCore } = await import('../core/core');
  return createCore(hostOptions(transport, extra, env));
}

/** A one-shot command's options: no Hub probe, downloads that are not the app's queue, `--cache-dir` for this run. */
function oneShot(opts: { cacheDir?: string | undefined }, env: Env): Partial<CoreOptions> {
  return {
    probeHubOnStart: false,
    ephemeralQueue: true,
    ...(opts.cacheDir ? { cacheDirOverride: readHfEnv(env, os.homedir()).expand(opts.cacheDir) } : {}),
  };
}

export function cliCore(opts: { cacheDir?: string | undefined }, env: Env = processEnv()): Promise<Core> {
  return hostCore('cli', oneShot(opts, env), env);
}

/** `hubcap download`'s core: the same options, only the capabilities a download uses (core/download-core.ts, #25). */
export async function cliDownloadCore(opts: { cacheDir?: string | undefined }, env: Env = processEnv()): Promise<DownloadCore> {
  const { createDownloadCore } = await import('../core/download-core');
  return createDownloadCore(hostOptions('cli', oneShot(opts, env), env));
}

function valueOf<K extends RequestName>(result: WireResult): RequestOutput<K> {
  if (!result.ok) throw new ApiError(result.error.code, result.error.message, result.error.details);
  return result.value as RequestOutput<K>;
}

/** One contract request, validated and run exactly as the app's would be; failures throw ApiError. */
export async function call<K extends RequestName>(core: Core, name: K, input: RequestInput<K> | ParsedInput<K>): Promise<RequestOutput<K>> {
  const { dispatch } = await import('../rpc/dispatch');
  return valueOf<K>(await dispatch(core.handlers, name, input));
}

/**
 * The same, with the request's schema taken from its own domain's table (`downloadRequests`…, the
 * very objects the contract merges) instead of the whole contract, whose other schemas a command
 * that loads one domain would build for nothing (#25).
 */
export async function callIn<K extends RequestName>(
  table: Pick<Requests, K>,
  core: { readonly handlers: HandlerSlice<K> },
  name: K,
  input: RequestInput<K> | ParsedInput<K>,
): Promise<RequestOutput<K>> {
  const { runRequest } = await import('../rpc/run-request');
  const handler = core.handlers[name] as (input: unknown) => Promise<unknown>;
  return valueOf<K>(await runRequest(name, table[name].input, handler, input));
}

/** The process's peak memory for a benchmark's result line (HUBCAP_BENCH), else nothing. */
export function benchFields(): { maxRssBytes?: number } {
  return readLocalEnv(processEnv()).hubcap.bench ? { maxRssBytes: peakRssBytes() } : {};
}
