/** `hubcap cache ls|rm|prune|verify`: the cache browser for scripts and servers. */
import { parseArgs } from 'node:util';
import { ApiError } from '../contract/errors';
import { formatBytes, plural } from '../contract/format';
import { scanCache, type CachedRepo } from '../cache/scan';
import { executePlan, planDeletion, repoLabel, type DeleteTarget } from '../cache/delete-plan';
import { activePartials } from '../cache/service';
import { verifyRepo } from '../cache/verify';
import { quoteName } from '../hub/file-names';
import { blobIdOf, listTree } from '../hub/tree';
import { cliContext } from './context';

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Text from the cache (names Python stored) made safe for a terminal: no control characters. */
function safe(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped here
  return /[\u0000-\u001f\u007f-\u009f]/.test(text) ? quoteName(text) : text;
}

function findRepos(repos: CachedRepo[], id: string | undefined): CachedRepo[] {
  if (!id) return repos;
  const found = repos.filter((r) => r.id === id || repoLabel(r) === id);
  if (!found.length) throw new ApiError('NOT_FOUND', `${id} is not in the cache.`);
  return found;
}

function printPlan(plan: ReturnType<typeof planDeletion>, dryRun: boolean): void {
  for (const s of plan.summary) process.stdout.write(`${dryRun ? 'would delete' : 'deleting'} ${safe(s.label)} (${formatBytes(s.bytes)})\n`);
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
        rows.push([
          r.id,
          r.type,
          String(r.revisions.length),
          String(r.nbFiles),
          formatBytes(r.sizeOnDisk),
          Object.keys(r.refs).join(',') || '(detached)',
          new Date(r.lastModified).toISOString().slice(0, 10),
        ]);
      }
      process.stdout.write(`${table(rows)}\n\n${plural(scan.repos.length, 'repo')}, ${formatBytes(scan.sizeOnDisk)} in ${ctx.cacheDir}\n`);
      for (const w of scan.warnings) process.stderr.write(`warning: ${safe(w.message)}\n`);
      return 0;
    }
    case 'rm': {
      if (!positionals.length) throw new ApiError('VALIDATION_FAILED', 'usage: hubcap cache rm REPO[@REVISION]… [--dry-run]');
      const targets: DeleteTarget[] = positionals.map((t) => {
        const at = t.lastIndexOf('@');
        return at > 0 ? { kind: 'revision', repo: t.slice(0, at), commit: t.slice(at + 1) } : { kind: 'repo', repo: t };
      });
      const plan = planDeletion(scan, targets);
      printPlan(plan, values['dry-run']);
      if (values['dry-run']) {
        process.stdout.write(`Would free ${formatBytes(plan.freedBytes)}.\n`);
        return 0;
      }
      const result = executePlan(ctx.cacheDir, plan);
      for (const e of result.errors) process.stderr.write(`error: ${safe(e)}\n`);
      process.stdout.write(`Freed ${formatBytes(plan.freedBytes)}.\n`);
      return result.errors.length ? 1 : 0;
    }
    case 'prune': {
      // Stale unfinished downloads (nobody holds their lock) and revisions no ref points at.
      const active = await activePartials(scan);
      const plan = planDeletion(scan, [
        { kind: 'incomplete', exclude: [...active] },
        { kind: 'detached', exclude: [] },
      ]);
      if (!plan.summary.length) {
        process.stdout.write('Nothing to prune.\n');
        return 0;
      }
      printPlan(plan, values['dry-run']);
      if (active.size) process.stdout.write(`keeping ${plural(active.size, 'unfinished download')} being written right now\n`);
      if (values['dry-run']) {
        process.stdout.write(`Would free ${formatBytes(plan.freedBytes)}.\n`);
        return 0;
      }
      const result = executePlan(ctx.cacheDir, plan);
      for (const e of result.errors) process.stderr.write(`error: ${safe(e)}\n`);
      process.stdout.write(`Freed ${formatBytes(plan.freedBytes)}.\n`);
      return result.errors.length ? 1 : 0;
    }
    case 'verify': {
      let bad = 0;
      for (const repo of findRepos(scan.repos, positionals[0])) {
        // Copies in a symlink-less cache are checked against the Hub's listing when no record has it.
        const expected = ctx.hub.isOffline()
          ? undefined
          : async (commit: string) => new Map((await listTree(ctx.hub, repo, commit)).map((f) => [f.path, blobIdOf(f)]));
        const { checks, unverifiable } = await verifyRepo(repo, expected ? { expected } : {});
        const corrupt = checks.filter((c) => !c.ok);
        bad += corrupt.length;
        process.stdout.write(`${repo.id}: ${checks.length - corrupt.length}/${plural(checks.length, 'blob')} ok\n`);
        for (const c of corrupt) {
          const files = c.uses.map((u) => u.path);
          process.stdout.write(`  CORRUPT ${c.etag} (${safe(c.files.join(', '))})\n`);
          process.stdout.write(
            `    re-download exactly these: hubcap download ${repo.id} ${files.map((f) => safe(f)).join(' ')} --revision ${c.uses[0]?.commit} --force\n`,
          );
        }
        if (unverifiable.length)
          process.stdout.write(
            `  ${plural(unverifiable.length, 'copied file')} could not be checked: no recorded hash${expected ? ' and the Hub did not list it' : ' (go online to check them)'}\n`,
          );
      }
      return bad ? 1 : 0;
    }
    default:
      throw new ApiError('VALIDATION_FAILED', 'usage: hubcap cache ls|rm|prune|verify');
  }
}
