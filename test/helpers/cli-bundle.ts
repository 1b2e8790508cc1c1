/**
 * The `hubcap` command line bundled into one ESM file as the shipped build is (packages left
 * external), for measurements of the process itself: under tsx the transform alone adds about
 * 70 MB of RSS. esbuild is tsx's (and vite's) own.
 */
import { build } from 'esbuild';
import path from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const ENTRY = path.join(ROOT, 'src-main/cli/hubcap.ts');

/** Builds the bundle (inside the repository, so its packages resolve from node_modules) and returns its path. */
export async function bundledCli(): Promise<string> {
  // Per process: test files running at once never write the same file.
  const outfile = path.join(ROOT, 'node_modules', '.cache', 'hubcap-test', `cli-${process.pid}.mjs`);
  await build({ entryPoints: [ENTRY], bundle: true, platform: 'node', format: 'esm', packages: 'external', target: 'node20', outfile, logLevel: 'warning' });
  return outfile;
}
