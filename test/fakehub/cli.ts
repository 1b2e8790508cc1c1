/**
 * `npm run fakehub -- --port 8080 [--catalogue N] [--big-mib M] [--storage-host 127.0.0.2]
 *   [--per-connection 20M] [--aggregate 200M] [--latency-ms 80] [--stall-chance 0.1] [--url-ttl-ms 30000]`:
 * the fake Hub on the command line, so anyone can point HF_ENDPOINT at it; the link flags make it
 * behave like a far CDN (link.ts). Faults and the link's shape change at run time with
 * `curl -X POST localhost:PORT/__fakehub/faults -d '{"kind":"drop","afterBytes":100000}'` and
 * `curl -X POST localhost:PORT/__fakehub/link -d '{"perConnection":20000000}'`.
 */
import { parseArgs } from 'node:util';
import { bigRepo, catalogue, standardRepos, TOKENS } from './fixtures';
import { startFakeHub } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'cdn-port': { type: 'string' },
    'upload-port': { type: 'string' },
    'storage-host': { type: 'string' },
    catalogue: { type: 'string' },
    'big-mib': { type: 'string' },
    'per-connection': { type: 'string' },
    aggregate: { type: 'string' },
    'latency-ms': { type: 'string' },
    'stall-chance': { type: 'string' },
    'url-ttl-ms': { type: 'string' },
  },
});

/** "20M" → 20 000 000 bytes per second (K, M, G are powers of 1000, as link speeds are quoted). */
function rate(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(v.trim());
  if (!m) throw new Error(`not a rate: ${v} (say 20M for 20 MB/s)`);
  const unit = { '': 1, K: 1e3, M: 1e6, G: 1e9 }[(m[2] as string).toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const link = Object.fromEntries(
  Object.entries({
    perConnection: rate(values['per-connection']),
    aggregate: rate(values.aggregate),
    firstByteMs: num(values['latency-ms']),
    stallChance: num(values['stall-chance']),
    urlTtlMs: num(values['url-ttl-ms']),
  }).filter(([, v]) => v !== undefined),
);
const repos = [...standardRepos(), ...catalogue(Number(values.catalogue ?? '0'))];
if (values['big-mib']) repos.push(bigRepo(Number(values['big-mib']) << 20));
const hub = await startFakeHub({
  repos,
  tokens: TOKENS,
  adminFaults: true,
  link,
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values['cdn-port'] ? { cdnPort: Number(values['cdn-port']) } : {}),
  ...(values['upload-port'] ? { uploadPort: Number(values['upload-port']) } : {}),
  ...(values['storage-host'] ? { storageHost: values['storage-host'] } : {}),
});
process.stdout.write(`fakehub: API ${hub.url}  CDN ${hub.cdnUrl}  upload ${hub.uploadUrl}\nexport HF_ENDPOINT=${hub.url}\n`);
process.on('SIGINT', () => void hub.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void hub.close().then(() => process.exit(0)));
