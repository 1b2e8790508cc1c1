/**
 * `hubcap scan-apps` and `hubcap adopt`: the CLI twins of "Find models on this computer" and "Add to
 * Hugging Face cache", through the same handlers as the Library page.
 */
import path from 'node:path';
import { APP_NAMES, type AdoptMode, type AppsReport } from '../contract/apps';
import { formatBytes, plural } from '../contract/present/format';
import { call, cliCore } from './context';
import type { Parsed } from './command';
import type { ScanAppsOptions, AdoptOptions } from './table/apps';

function printReport(r: AppsReport): void {
  for (const f of r.folders.filter((x) => x.exists)) {
    const models = r.models.filter((m) => m.path.startsWith(f.root + path.sep) || m.path === f.root);
    const size = models.reduce((a, m) => a + m.size, 0);
    process.stdout.write(`${APP_NAMES[f.app]}: ${f.root} (${plural(models.length, 'model file')}, ${formatBytes(size)})\n`);
    for (const m of models) {
      const what = [m.format.toUpperCase(), m.summary?.architecture, m.summary?.quantization].filter(Boolean).join(' ');
      const hub = m.hint ? `  from ${m.hint.repo}${m.hint.file ? `/${m.hint.file}` : ''}${m.hint.quant ? ` (${m.hint.quant})` : ''}` : '';
      process.stdout.write(`  ${m.name}  ${formatBytes(m.size)}  ${what}${m.problem ? `  (${m.problem})` : ''}${hub}\n`);
    }
    for (const n of f.notes) process.stdout.write(`  note: ${n}\n`);
  }
  if (!r.models.length) process.stdout.write('No models found in the known folders of other apps.\n');
  if (r.duplicates.length)
    process.stdout.write(`${formatBytes(r.duplicatedBytes)} duplicated in ${plural(r.duplicates.length, 'file')} (the same bytes in two places).\n`);
  else if (!r.hashed && r.models.length) process.stdout.write('Run with --hash to look for duplicates by content.\n');
}

/** Said before any hard link is made: the user chose it, knowing this. */
const HARD_LINK_WARNING =
  'warning: a hard link makes the cache and the other app share the same bytes: if that app rewrites its file in place, the cached model changes too (hubcap cache verify would then report it as corrupt).';

export async function scanApps({ values, positionals }: Parsed<ScanAppsOptions>): Promise<number> {
  const core = await cliCore({ cacheDir: values['cache-dir'] });
  try {
    // Reclaiming needs every duplicate, so it hashes.
    const report = await call(core, 'apps.scan', { folders: positionals.map((p) => path.resolve(p)), hash: values.hash === true || values.reclaim === true });
    if (!values.reclaim) {
      if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else printReport(report);
      return 0;
    }
    const plan = await call(core, 'apps.reclaimPlan', {});
    for (const s of plan.steps)
      process.stdout.write(`${values['dry-run'] ? 'would share' : 'sharing'} ${s.blob} with ${APP_NAMES[s.app]}'s ${s.source} (${formatBytes(s.bytes)})\n`);
    for (const n of plan.notes) process.stdout.write(`note: ${n}\n`);
    if (values['dry-run'] || !plan.steps.length) {
      process.stdout.write(`${values['dry-run'] ? 'Would free' : 'Nothing to free:'} ${formatBytes(plan.bytes)}.\n`);
      return 0;
    }
    if (values.link) process.stderr.write(`${HARD_LINK_WARNING}\n`);
    const done = await call(core, 'apps.reclaim', { confirm: true, allowLink: values.link === true });
    for (const n of done.notes) process.stdout.write(`note: ${n}\n`);
    if (!values.link && done.steps.length < plan.steps.length)
      process.stdout.write('Where the disk cannot clone, --link shares the bytes by hard link instead (read the warning it prints first).\n');
    process.stdout.write(
      `Freed ${formatBytes(done.freed)}${done.steps.length ? ` (${done.steps.map((s) => s.how).join(', ')})` : ''}; other apps' folders were not changed.\n`,
    );
    return 0;
  } finally {
    await core.close();
  }
}

export async function adopt({ values, positionals }: Parsed<AdoptOptions>): Promise<number> {
  if (!positionals.length) throw new Error('adopt needs the path of a model file (hubcap adopt PATH… [--repo ORG/NAME])');
  const mode = (values.mode ?? 'auto') as AdoptMode;
  if (mode === 'link') process.stderr.write(`${HARD_LINK_WARNING}\n`);
  const core = await cliCore({ cacheDir: values['cache-dir'] });
  try {
    let failed = 0;
    for (const p of positionals) {
      try {
        const r = await call(core, 'apps.adopt', {
          path: path.resolve(p),
          ...(values.repo ? { repo: values.repo } : {}),
          ...(values.file ? { file: values.file } : {}),
          revision: values.revision ?? 'main',
          mode,
          dryRun: values['dry-run'] === true,
        });
        if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else
          for (const s of r.steps) {
            const how = {
              present: 'already in the cache',
              clone: 'cloned (no extra space)',
              link: 'hard-linked (no extra space; both names share the bytes)',
              copy: `copied (${formatBytes(s.bytes)})`,
            }[s.how];
            process.stdout.write(`${values['dry-run'] ? 'would add' : 'added'} ${p} as ${r.repo}/${s.file} @ ${r.commit.slice(0, 8)}: ${how}\n`);
          }
      } catch (error) {
        failed++;
        process.stderr.write(`hubcap: ${(error as Error).message.split('\n')[0]}\n`);
      }
    }
    return failed ? 1 : 0;
  } finally {
    await core.close();
  }
}
