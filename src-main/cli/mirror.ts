/**
 * `hubcap mirror [--port N] [--host ADDR] [--allow NETS] [--rate-limit RATE] [--cache-only] [--show-key] [--json]`:
 * this machine's cache as a read-only Hub for others (#28). The first line is the endpoint to give
 * them (`HF_ENDPOINT=…`; the key in it masked unless --show-key); `serve --mirror-port` starts the
 * same server beside the UI.
 */
import type { Core } from '../core/core';
import { ApiError } from '../contract/errors';
import { MIRROR_DEFAULT_PORT } from '../contract/mirror';
import { maskKey } from '../mirror/key';
import { exposureWarning, type MirrorStart, type RunningMirror } from '../mirror/service';
import { hostCore } from './context';
import { stopOnSignals } from './signals';
import type { Parsed } from './command';
import type { MirrorOptions } from './table/mirror';

export const DEFAULT_MIRROR_PORT = MIRROR_DEFAULT_PORT;

export type CliMirrorOptions = MirrorStart;
export type CliMirror = RunningMirror;

/** `50M`, `1.5G`, `800k` or a byte count per second. */
export function parseRate(value: string | undefined): number {
  if (value === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)(?:i?B?)?(?:\/s)?$/.exec(value.trim());
  const mult = { '': 1, k: 1 << 10, m: 1 << 20, g: 1 << 30 }[(m?.[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = m ? Math.floor(Number(m[1]) * mult) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw new ApiError('VALIDATION_FAILED', `--rate-limit must be like 50M (bytes per second per client), got ${value}`);
  return n;
}

/** A mirror of the core's cache, started where every mirror of this process is (mirror/service.ts). */
export function startCliMirror(core: Core, opts: CliMirrorOptions): Promise<CliMirror> {
  return core.mirror.start(opts);
}

/** The endpoint line, with the key masked unless asked for in full. */
export function endpointLine(m: CliMirror, showKey: boolean): string {
  return showKey ? m.endpoint : m.endpoint.replace(m.key.key, maskKey(m.key.key));
}

export function mirrorNotes(m: CliMirror, host: string, showKey: boolean): string {
  const where =
    m.key.source === 'HUBCAP_MIRROR_KEY'
      ? 'from HUBCAP_MIRROR_KEY'
      : m.key.source === 'keychain'
        ? 'kept in the OS keychain'
        : 'this run only: no keychain here; set HUBCAP_MIRROR_KEY to keep one';
  const lines = [`hubcap: mirror key ${where}${showKey ? '' : '; --show-key prints the endpoint in full'}`];
  lines.push(`hubcap: on each client: export HF_ENDPOINT=${endpointLine(m, showKey)}`);
  const warning = exposureWarning(host);
  if (warning) lines.push(`hubcap: warning: ${warning.charAt(0).toLowerCase()}${warning.slice(1)}`);
  return `${lines.join('\n')}\n`;
}

export async function mirror({ values }: Parsed<MirrorOptions>): Promise<number> {
  const port = values.port === undefined ? DEFAULT_MIRROR_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ApiError('VALIDATION_FAILED', `--port must be 0-65535, got ${values.port}`);
  // Its pull-through jobs are its own, not the desktop app's queue.
  const core = await hostCore('cli', { probeHubOnStart: false, ephemeralQueue: true });
  const rateLimit = parseRate(values['rate-limit']);
  const m = await startCliMirror(core, { host: values.host, port, allow: values.allow, rateLimit, pullThrough: !values['cache-only'] });
  let timer: NodeJS.Timeout | undefined;
  if (values.json) {
    const line = (extra: object) => process.stdout.write(`${JSON.stringify({ endpoint: endpointLine(m, values['show-key']), ...extra })}\n`);
    line({ url: m.mirror.url, keySource: m.key.source, stats: m.mirror.stats() });
    // Then the figures whenever they change, at most every 2 s.
    let last = JSON.stringify(m.mirror.stats());
    timer = setInterval(() => {
      const now = JSON.stringify(m.mirror.stats());
      if (now !== last) line({ stats: m.mirror.stats() });
      last = now;
    }, 2000);
  } else {
    process.stdout.write(`${endpointLine(m, values['show-key'])}\n`);
  }
  process.stderr.write(mirrorNotes(m, values.host, values['show-key']));
  stopOnSignals(() => {
    clearInterval(timer);
    return Promise.all([m.mirror.close(), core.close()]);
  });
  return 0;
}
