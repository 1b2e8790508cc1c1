/** `hubcap cache ls|rm|verify`: the cache browser for scripts and servers. */
import { parseArgs } from 'node:util';
import { ApiError } from '../contract/errors';
import { formatBytes } from '../contract/format';
import { scanCache, type CachedRepo } from '../cache/scan';
import { executePlan, planDeletion, repoLabel, type DeleteTarget } from '../cache/delete-plan';
import { verifyRepo } from '../cache/verify';
import { cliContext } from './context';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function findRepos(repos: CachedRepo[], id: string | undefined): CachedRepo[] {
  if (!id) return repos;
  const found = repos.filter((r) => r.id === id || repoLabel(r) === id);
  if (!found.length) throw new ApiError('NOT_FOUND', `${id} is not in the cache.`);
  return found;
}

export async function cacheCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, 'cache-dir': { type: 'string' } },
  });
  const ctx = cliContext({ cacheDir: values['cache-dir'] });
  const scan = scanCache(ctx.cacheDir);
  switch (sub) {
    case 'ls': {
      if (values.json) {
        process.stdout.write(`${JSON.stringify(scan)}\n`);
        return 0;
      }
      if (!scan.repos.length) {
        process.stdout.write(`No models in ${ctx.cacheDir}\n`);
        return 0;
      }
      const rows = [['REPO', 'TYPE', 'REVISIONS', 'FILES', 'SIZE', 'REFS', 'LAST MODIFIED']];
      for (const r of scan.repos) {
        rows.push([r.id, r.type, String(r.revisions.length), String(r.nbFiles), formatBytes(r.sizeOnDisk), Object.keys(r.refs).join(',') || '(detached)', new Date(r.lastModified).toISOString().slice(0, 10)]);
      }
      process.stdout.write(`${table(rows)}\n\n${scan.repos.length} repo(s), ${formatBytes(scan.sizeOnDisk)} in ${ctx.cacheDir}\n`);
      for (const w of scan.warnings) process.stderr.write(`warning: ${w.message}\n`);
      return 0;
    }
    case 'rm': {
      if (!positionals.length) throw new ApiError('VALIDATION_FAILED', 'usage: hubcap cache rm REPO[@REVISION]… [--dry-run]');
      const targets: DeleteTarget[] = positionals.map((t) => {
        const at = t.lastIndexOf('@');
        return at > 0 ? { kind: 'revision', repo: t.slice(0, at), commit: t.slice(at + 1) } : { kind: 'repo', repo: t };
      });
      const plan = planDeletion(scan, targets);
      for (const s of plan.summary) process.stdout.write(`${values['dry-run'] ? 'would delete' : 'deleting'} ${s.label} (${formatBytes(s.bytes)})\n`);
      if (values['dry-run']) {
        process.stdout.write(`Would free ${formatBytes(plan.freedBytes)}.\n`);
        return 0;
      }
      const result = executePlan(ctx.cacheDir, plan);
      for (const e of result.errors) process.stderr.write(`error: ${e}\n`);
      process.stdout.write(`Freed ${formatBytes(plan.freedBytes)}.\n`);
      return result.errors.length ? 1 : 0;
    }
    case 'verify': {
      let bad = 0;
      for (const repo of findRepos(scan.repos, positionals[0])) {
        const checks = await verifyRepo(repo);
        const corrupt = checks.filter((c) => !c.ok);
        bad += corrupt.length;
        process.stdout.write(`${repo.id}: ${checks.length - corrupt.length}/${checks.length} blobs ok\n`);
        for (const c of corrupt) process.stdout.write(`  CORRUPT ${c.etag} (${c.files.join(', ')}): re-download with hubcap download ${repo.id}\n`);
      }
      return bad ? 1 : 0;
    }
    default:
      throw new ApiError('VALIDATION_FAILED', 'usage: hubcap cache ls|rm|verify');
  }
}
