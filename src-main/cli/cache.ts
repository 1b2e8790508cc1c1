/**
 * `hubcap cache ls|rm|prune|verify`: the cache browser for scripts and servers, through the same
 * handlers as the Cache page (the plan a dry run prints is the plan a delete executes).
 */
import path from 'node:path';
import type { CacheOverview, DeletePlanView, DeleteTargetInput } from '../contract/cache';
import { ApiError } from '../contract/errors';
import { parseRepoSpec, repoKey } from '../contract/keys';
import { formatBytes, plural } from '../contract/present/format';
import { quoteName } from '../hub/file-names';
import type { Core } from '../core/core';
import { call, cliCore } from './context';
import type { Parsed } from './command';
import type { CacheOptions } from './table/cache';

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

/** The cached repos a spec names (all of them without one), as the overview lists them. */
function findRepos(scan: CacheOverview, spec: string | undefined): CacheOverview['repos'] {
  if (!spec) return scan.repos;
  const ref = parseRepoSpec(spec);
  const found = ref ? scan.repos.filter((r) => r.key === repoKey(ref)) : [];
  if (!found.length) throw new ApiError('NOT_FOUND', `${spec} is not in the cache.`);
  return found;
}

/** `org/name` or `org/name@<ref or commit prefix>` as a delete target with its exact key and commit. */
function target(scan: CacheOverview, spec: string): DeleteTargetInput {
  const at = spec.lastIndexOf('@');
  const [name, rev] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, null];
  const repo = findRepos(scan, name)[0] as CacheOverview['repos'][number];
  if (rev === null) return { kind: 'repo', repo: repo.key };
  const found = repo.revisions.find((r) => r.refs.includes(rev) || (rev.length >= 4 && r.commit.startsWith(rev)));
  if (!found) throw new ApiError('NOT_FOUND', `${rev} is not a cached revision of ${repo.id}.`);
  return { kind: 'revision', repo: repo.key, commit: found.commit };
}

/** What `cache ls` says of huggingface_hub 2.x's shared store: each payload once, who shares, what is left over. */
function storeLines(scan: CacheOverview): string[] {
  if (scan.store.state !== 'v1') return [];
  const lines = [
    `Shared blob store (huggingface_hub 2.x): ${plural(scan.store.payloads, 'payload')}, ${formatBytes(scan.store.bytes)}, of which ${formatBytes(scan.store.sharedBytes)} used by several repos`,
  ];
  for (const r of scan.repos.filter((x) => x.sharedBytes > 0)) {
    lines.push(`  ${r.id} shares ${formatBytes(r.sharedBytes)} with ${r.sharedWith.map((k) => k.replace(/^\w+:/, '')).join(', ')}`);
  }
  const unlinked = scan.store.unlinked;
  if (unlinked.length)
    lines.push(
      `  ${plural(unlinked.length, 'payload')} no repo uses (${formatBytes(unlinked.reduce((a, p) => a + p.size, 0))}): hubcap cache prune collects them`,
    );
  return lines;
}

/**
 * `cache ls REPO --files`: each revision's files at their real paths, with size and the blob each
 * resolves to, under the snapshot folder a user can hand to `from_pretrained(path)` or another tool.
 */
async function listFiles(core: Core, repos: CacheOverview['repos'], json: boolean): Promise<number> {
  const out = [];
  for (const repo of repos) {
    const revisions = [];
    for (const rev of repo.revisions) revisions.push({ ...rev, files: await call(core, 'cache.files', { repo: repo.key, commit: rev.commit }) });
    out.push({ key: repo.key, id: repo.id, path: repo.path, revisions });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  }
  for (const repo of out) {
    for (const rev of repo.revisions) {
      process.stdout.write(`${repo.id} @ ${rev.refs.join(',') || '(detached)'} ${rev.commit}\n  folder: ${safe(rev.snapshotPath)}\n`);
      const rows = [['  PATH', 'SIZE', 'BLOB']];
      for (const f of rev.files) rows.push([`  ${safe(f.path)}`, formatBytes(f.size), safe(f.payload ? `${f.blob} -> ${f.payload}` : f.blob)]);
      process.stdout.write(`${table(rows)}\n\n`);
    }
  }
  return 0;
}

/** Prints a plan; executes it unless this is a dry run. */
async function planThenRun(core: Core, targets: DeleteTargetInput[], dryRun: boolean): Promise<number> {
  const plan: DeletePlanView = await call(core, 'cache.planDelete', { targets });
  for (const s of plan.summary) process.stdout.write(`${dryRun ? 'would delete' : 'deleting'} ${safe(s.label)} (${formatBytes(s.bytes)})\n`);
  for (const k of plan.kept) process.stdout.write(`${dryRun ? 'would keep' : 'keeping'} ${formatBytes(k.bytes)}: ${safe(k.label)}\n`);
  // Exports to other apps' folders: their symlinks into these revisions stop working; copies and clones keep their bytes.
  for (const u of plan.usedElsewhere ?? [])
    process.stdout.write(
      `also used in ${safe(u.label)}: ${plural(u.files, 'file')}${u.symlinks ? `, ${u.symlinks} of them symlinks into the cache that ${dryRun ? 'would break' : 'break'}` : ' (own copies, kept)'}\n`,
    );
  if (dryRun) {
    process.stdout.write(`Would free ${formatBytes(plan.freedBytes)}.\n`);
    return 0;
  }
  const result = await call(core, 'cache.delete', { targets });
  for (const e of result.errors) process.stderr.write(`error: ${safe(e)}\n`);
  process.stdout.write(`Freed ${formatBytes(result.freedBytes)}.\n`);
  return result.errors.length ? 1 : 0;
}

/** Each command of the group parses the options it names (`only`); its handler sees those. */
type Args = { values: Partial<Parsed<CacheOptions>['values']>; positionals: string[] };

/** A cache command on a fresh scan, through a headless core closed afterwards. */
function onScan(run: (core: Core, scan: CacheOverview, args: Args) => Promise<number>): (args: Args) => Promise<number> {
  return async (args) => {
    const core = await cliCore({ cacheDir: args.values['cache-dir'] });
    try {
      return await run(core, await call(core, 'cache.scan', { fresh: true }), args);
    } finally {
      await core.close();
    }
  };
}

async function list(core: Core, scan: CacheOverview, { values, positionals }: Args): Promise<number> {
  if (values.files) return await listFiles(core, findRepos(scan, positionals[0]), values.json === true);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(scan)}\n`);
    return 0;
  }
  if (!scan.repos.length) {
    process.stdout.write(`No models in ${scan.root}\n`);
    return 0;
  }
  // SIZE is what a repo holds alone; SHARED is what it shares through the store (counted once, in the total).
  const rows = [['REPO', 'TYPE', 'REVISIONS', 'FILES', 'SIZE', 'SHARED', 'REFS', 'LAST MODIFIED']];
  for (const r of scan.repos) {
    const refs = r.revisions.flatMap((v) => v.refs);
    rows.push([
      r.id,
      r.type,
      String(r.revisions.length),
      String(r.nbFiles),
      formatBytes(r.sizeOnDisk),
      r.sharedBytes ? `${formatBytes(r.sharedBytes)} with ${plural(r.sharedWith.length, 'repo')}` : '-',
      refs.join(',') || '(detached)',
      new Date(r.lastModified).toISOString().slice(0, 10),
    ]);
  }
  process.stdout.write(`${table(rows)}\n\n${plural(scan.repos.length, 'repo')}, ${formatBytes(scan.sizeOnDisk)} in ${scan.root}\n`);
  for (const line of storeLines(scan)) process.stdout.write(`${line}\n`);
  for (const w of scan.warnings) process.stderr.write(`warning: ${safe(w.message)}\n`);
  return 0;
}

async function remove(core: Core, scan: CacheOverview, { values, positionals }: Args): Promise<number> {
  if (!positionals.length) throw new ApiError('VALIDATION_FAILED', 'usage: hubcap cache rm REPO[@REVISION]… [--dry-run]');
  return await planThenRun(
    core,
    positionals.map((p) => target(scan, p)),
    values['dry-run'] === true,
  );
}

async function prune(core: Core, scan: CacheOverview, { values }: Args): Promise<number> {
  // Stale unfinished downloads (nobody holds their lock) and revisions no ref points at.
  // And, as `hf cache prune`, shared-store payloads no repo links to any more.
  const targets: DeleteTargetInput[] = [{ kind: 'incomplete' }, { kind: 'detached' }, { kind: 'store' }];
  const plan = await call(core, 'cache.planDelete', { targets });
  const active = scan.incomplete.filter((f) => f.active).length;
  if (!plan.summary.length) {
    process.stdout.write('Nothing to prune.\n');
    return 0;
  }
  if (active) process.stdout.write(`keeping ${plural(active, 'unfinished download')} being written right now\n`);
  return await planThenRun(core, targets, values['dry-run'] === true);
}

async function move(core: Core, _scan: CacheOverview, { positionals }: Args): Promise<number> {
  if (positionals.length !== 1) throw new ApiError('VALIDATION_FAILED', 'usage: hubcap cache mv NEW_FOLDER');
  const r = await call(core, 'cache.move', { to: path.resolve(positionals[0] as string) });
  process.stdout.write(
    `${r.resumed ? 'Finished moving' : 'Moved'} ${formatBytes(r.bytes)} from ${r.from} to ${r.to} (${r.how === 'rename' ? 'renamed' : 'copied, then removed'}).\n${r.pythonNote}\n`,
  );
  return 0;
}

async function verify(core: Core, scan: CacheOverview, { positionals }: Args): Promise<number> {
  let bad = 0;
  for (const repo of findRepos(scan, positionals[0])) {
    const { checked, corrupt, unverifiable } = await call(core, 'cache.verify', { repo: repo.key });
    bad += corrupt.length;
    process.stdout.write(`${repo.id}: ${checked - corrupt.length}/${plural(checked, 'blob')} ok\n`);
    for (const c of corrupt) {
      process.stdout.write(`  CORRUPT ${c.etag} (${safe(c.files.join(', '))})\n`);
      if (c.changedInPlace)
        process.stdout.write('    changed in place by another program: the blob is hard-linked to its file (a re-download gives the cache its own copy)\n');
      process.stdout.write(
        `    re-download exactly these: hubcap download ${repo.id} ${c.uses.map((u) => safe(u.path)).join(' ')} --revision ${c.uses[0]?.commit} --force\n`,
      );
    }
    if (unverifiable.length) {
      process.stdout.write(
        `  ${plural(unverifiable.length, 'copied file')} could not be checked: no recorded hash${core.settings.isOffline() ? ' (go online to check them)' : ' and the Hub did not list it'}\n`,
      );
    }
  }
  return bad ? 1 : 0;
}

export const cacheList = onScan(list);
export const cacheRemove = onScan(remove);
export const cachePrune = onScan(prune);
export const cacheVerify = onScan(verify);
export const cacheMove = onScan(move);
