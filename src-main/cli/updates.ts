/**
 * `hubcap updates [REPO…] [--json]`, `hubcap update REPO`, `hubcap pin REPO` / `unpin REPO`: model
 * updates (#26) for a terminal, through the same handlers as the Cache page. `updates` asks the Hub
 * (never in offline mode: then it shows the last check and says so); with REPOs it also says what
 * changed. `update` fetches the new revision, verified, and moves the branch only at the end.
 */
import { staleSourcesOf } from '../contract/downloads';
import { ApiError } from '../contract/errors';
import { parseRepoSpec, repoKey } from '../contract/keys';
import { formatBytes } from '../contract/present/format';
import type { RepoUpdates, UpdateDetails, UpdatesView } from '../contract/updates';
import type { Core } from '../core/core';
import type { Parsed } from './command';
import type { UpdatesOptions, UpdateOptions, PinOptions } from './table/updates';
import { call, cliCore } from './context';
import { stopOnSignals } from './signals';

const short = (c: string | null) => (c ? c.slice(0, 8) : '?');

function keyOf(spec: string): string {
  const ref = parseRepoSpec(spec);
  if (!ref) throw new ApiError('VALIDATION_FAILED', `${spec} is not a repo id (org/name).`);
  return repoKey(ref);
}

/** One line per followed branch (or the pin), and the refs not followed. */
export function statusLines(r: RepoUpdates): string[] {
  if (r.pinned) return [`${r.id}  pinned at ${short(r.pinned)} (no updates offered; hubcap unpin ${r.id})`];
  const lines = r.branches.map((b) => {
    const move = `${short(b.cachedCommit)} → ${short(b.headCommit)}`;
    const what: Record<typeof b.state, string> = {
      'up-to-date': `up to date at ${short(b.cachedCommit)}`,
      available: `update available ${move}${b.message ? ` (${b.message})` : ''}`,
      diverged: `force-pushed ${move}: ${b.message ?? ''}`,
      'branch-gone': b.message ?? 'branch deleted on the Hub',
      gone: b.message ?? 'repo gone from the Hub',
      gated: b.message ?? 'now gated',
      'rate-limited': b.message ?? 'rate-limited',
      error: `not checked: ${b.message ?? 'error'}`,
    };
    return `${r.id}  ${b.branch}  ${what[b.state]}`;
  });
  if (r.running) lines.push(`${r.id}  updating ${r.running.branch} to ${short(r.running.to)}…`);
  if (r.lastError) lines.push(`${r.id}  ${r.lastError}`);
  if (r.previous.length)
    lines.push(`${r.id}  previous revision kept: ${r.previous.map(short).join(', ')} (remove it from the Cache page or with hubcap cache rm)`);
  for (const n of r.notFollowed) lines.push(`${r.id}  not followed: ${n}`);
  if (!lines.length) lines.push(`${r.id}  no branch to follow (downloaded by commit)`);
  return lines;
}

export function detailLines(d: UpdateDetails): string[] {
  const out = [`  ${d.summary}${d.estimate === 'whole-files' ? ' (whole files not on this machine)' : ' (after reuse of local chunks)'}`];
  if (d.diverged) out.push('  The branch was force-pushed: the new head does not build on your revision (hubcap update --allow-force-pushed).');
  for (const c of d.commits.slice(0, 20)) out.push(`  ${short(c.id)}  ${c.date.slice(0, 10)}  ${c.title}`);
  if (!d.commitsComplete && !d.diverged) out.push('  … and older commits');
  for (const f of d.files.filter((x) => x.change !== 'same')) {
    const sizes = `${f.oldSize === null ? '' : formatBytes(f.oldSize)}${f.oldSize !== null && f.newSize !== null ? ' → ' : ''}${f.newSize === null ? '' : formatBytes(f.newSize)}`;
    out.push(`  ${f.change.padEnd(8)} ${f.from ? `${f.from} → ` : ''}${f.path}  ${sizes}${f.selected ? '' : '  (not fetched: you do not have it)'}`);
    for (const g of f.gguf ?? []) out.push(`           ${g.key}: ${g.change}`);
    if (f.ggufNote) out.push(`           ${f.ggufNote}`);
    if (f.note) out.push(`           ${f.note}`);
  }
  return out;
}

export async function listUpdates({ values, positionals }: Parsed<UpdatesOptions>): Promise<number> {
  const keys = positionals.map(keyOf);
  const core = await cliCore({ cacheDir: values['cache-dir'] });
  try {
    let view: UpdatesView = await call(core, 'updates.status', {});
    let note: string | null = null;
    if (view.offline) note = 'Offline mode is on: showing the last check, nothing was asked.';
    else view = await call(core, 'updates.check', keys.length ? { repos: keys } : {});
    const shown = view.repos.filter((r) => !keys.length || keys.includes(r.repo));
    const details: Record<string, UpdateDetails> = {};
    for (const r of shown.filter(
      (x) => keys.length && !view.offline && !x.pinned && x.branches.some((b) => b.state === 'available' || b.state === 'diverged'),
    )) {
      details[r.repo] = await call(core, 'updates.details', { repo: r.repo });
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...view, repos: shown, details })}\n`);
      return 0;
    }
    if (note) process.stderr.write(`hubcap: ${note}\n`);
    for (const r of shown) {
      for (const line of statusLines(r)) process.stdout.write(`${line}\n`);
      const d = details[r.repo];
      if (d) for (const line of detailLines(d)) process.stdout.write(`${line}\n`);
    }
    if (!shown.length) process.stdout.write('No cached repo follows a branch.\n');
    process.stdout.write(`Last checked: ${view.lastCheckedAt ?? 'never'}\n`);
    return 0;
  } finally {
    await core.close();
  }
}

/**
 * Resolves once the repo's update has settled: its download ran and ended (the ref moved, or it
 * failed). Working out the details before the download starts also sends views without a running
 * update, so only one after a running one counts.
 */
function settled(core: Core, key: string): Promise<RepoUpdates | undefined> {
  return new Promise((resolve) => {
    let ran = false;
    const off = core.events.on((name, payload) => {
      if (name !== 'updates.changed') return;
      const r = (payload as UpdatesView).repos.find((x) => x.repo === key);
      if (r?.running) ran = true;
      else if (r && (ran || r.lastError)) {
        off();
        resolve(r);
      }
    });
  });
}

export async function updateRepo({ values, positionals }: Parsed<UpdateOptions>): Promise<number> {
  if (positionals.length !== 1) throw new ApiError('VALIDATION_FAILED', 'usage: hubcap update REPO [--branch B] [--allow-force-pushed]');
  const key = keyOf(positionals[0] as string);
  const core = await cliCore({ cacheDir: values['cache-dir'] });
  // The download stays resumable: its partial is kept; the next run continues it.
  stopOnSignals(() => core.close());
  try {
    const d = await call(core, 'updates.details', { repo: key, ...(values.branch ? { branch: values.branch } : {}) });
    if (!values.json)
      for (const line of [`${d.repo.replace(/^\w+:/, '')}  ${d.branch}  ${short(d.from)} → ${short(d.to)}`, ...detailLines(d)])
        process.stderr.write(`${line}\n`);
    if (d.from === d.to) {
      process.stdout.write(values.json ? `${JSON.stringify({ ok: true, updated: false, commit: d.to })}\n` : 'Already up to date.\n');
      return 0;
    }
    const done = settled(core, key);
    const started = await call(core, 'updates.apply', { repo: key, branch: d.branch, allowDiverged: values['allow-force-pushed'] });
    const r = started.running ? await done : started;
    if (r?.lastError) throw new ApiError('INTERNAL', r.lastError);
    // No branch record when no check ran before (`hubcap update` alone): then no error means the ref moved.
    const now = r?.branches.find((b) => b.branch === d.branch)?.cachedCommit ?? d.to;
    if (now !== d.to) throw new ApiError('INTERNAL', `The update did not finish; ${d.branch} still points at ${short(d.from)}.`);
    // Old copies the update could not reuse (they no longer match their sha256), as the download job says.
    const job = started.running ? (await call(core, 'downloads.list', {})).find((j) => j.id === started.running?.jobId) : undefined;
    const staleSources = staleSourcesOf(job?.files ?? []);
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ ok: true, updated: true, branch: d.branch, from: d.from, to: d.to, previous: r?.previous ?? [], staleSources })}\n`,
      );
      return 0;
    }
    for (const [file, copies] of Object.entries(staleSources))
      process.stderr.write(`${file}: the old copy ${copies.join(', ')} no longer matches its sha256; nothing was reused from it.\n`);
    process.stdout.write(
      `Updated ${d.branch} to ${short(d.to)}${r?.previous.includes(d.from) ? `; the previous revision ${short(d.from)} is kept until you remove it` : ''}.\n`,
    );
    return 0;
  } finally {
    await core.close();
  }
}

function pinCommand(pinned: boolean) {
  return async ({ values, positionals }: Parsed<PinOptions>): Promise<number> => {
    if (positionals.length !== 1) throw new ApiError('VALIDATION_FAILED', `usage: hubcap ${pinned ? 'pin' : 'unpin'} REPO`);
    const core = await cliCore({ cacheDir: values['cache-dir'] });
    try {
      const r = await call(core, 'updates.pin', { repo: keyOf(positionals[0] as string), pinned });
      process.stdout.write(r.pinned ? `${r.id} is pinned at ${short(r.pinned)}: no updates are offered for it.\n` : `${r.id} is no longer pinned.\n`);
      return 0;
    } finally {
      await core.close();
    }
  };
}

export const pin = pinCommand(true);
export const unpin = pinCommand(false);
