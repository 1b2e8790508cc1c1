/**
 * `npm run fakehub -- --port 8080 [--catalogue N] [--big-mib M] [--storage-host 127.0.0.2]`: the fake Hub on the command line,
 * so anyone can point HF_ENDPOINT at it. Faults are added at run time with
 * `curl -X POST localhost:PORT/__fakehub/faults -d '{"kind":"drop","afterBytes":100000}'`.
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
  },
});
const repos = [...standardRepos(), ...catalogue(Number(values.catalogue ?? '0'))];
if (values['big-mib']) repos.push(bigRepo(Number(values['big-mib']) << 20));
const hub = await startFakeHub({
  repos,
  tokens: TOKENS,
  adminFaults: true,
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values['cdn-port'] ? { cdnPort: Number(values['cdn-port']) } : {}),
  ...(values['upload-port'] ? { uploadPort: Number(values['upload-port']) } : {}),
  ...(values['storage-host'] ? { storageHost: values['storage-host'] } : {}),
});
process.stdout.write(`fakehub: API ${hub.url}  CDN ${hub.cdnUrl}  upload ${hub.uploadUrl}\nexport HF_ENDPOINT=${hub.url}\n`);
process.on('SIGINT', () => void hub.close().then(() => process.exit(0)));
process.on('SIGTERM', () => void hub.close().then(() => process.exit(0)));
