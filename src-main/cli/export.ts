/**
 * `hubcap export REPO[@REV] [FILES…] --to DIR | --app comfyui|lmstudio|text-generation-webui
 * [--mode clone|link|symlink|copy]`: "Use in another app" for a terminal, through the same
 * handlers. The plan is printed first (where each file goes, what is there); a conflicting file is
 * replaced only with --replace, a missing app folder created only with --create, and where the
 * drive cannot clone the user picks a --mode, told what each one means.
 */
import path from 'node:path';
import { ApiError } from '../contract/errors';
import { EXPORT_APPS, EXPORT_MODES, type ExportApp, type ExportInput, type ExportMode, type ExportPlanView } from '../contract/export';
import { formatBytes } from '../contract/present/format';
import { parseRepoSpec, repoKey } from '../contract/keys';
import { call, cliCore } from './context';
import type { Parsed } from './command';
import type { ExportOptions } from './table/export';

/** `lmstudio` is how people type it; the contract names apps as the Library does. */
const APP_SPELLINGS: Record<string, ExportApp> = {
  comfyui: 'comfyui',
  lmstudio: 'lm-studio',
  'lm-studio': 'lm-studio',
  'text-generation-webui': 'text-generation-webui',
};

function inputOf({ values, positionals }: Parsed<ExportOptions>): ExportInput {
  const [spec, ...files] = positionals;
  if (!spec) throw new ApiError('VALIDATION_FAILED', 'usage: hubcap export REPO[@REV] [FILES…] --app A | --to DIR');
  const at = spec.lastIndexOf('@');
  const [name, revision] = at > 0 ? [spec.slice(0, at), spec.slice(at + 1)] : [spec, undefined];
  const ref = parseRepoSpec(name);
  if (!ref) throw new ApiError('VALIDATION_FAILED', `${name} is not a repo id (org/name).`);
  const app = values.app === undefined ? undefined : APP_SPELLINGS[values.app];
  if (values.app !== undefined && !app) throw new ApiError('VALIDATION_FAILED', `--app must be one of comfyui, lmstudio, ${EXPORT_APPS.at(-1)}`);
  if (values.mode !== undefined && !EXPORT_MODES.includes(values.mode as ExportMode))
    throw new ApiError('VALIDATION_FAILED', `--mode must be one of ${EXPORT_MODES.join(', ')}`);
  if (!app && !values.to) throw new ApiError('VALIDATION_FAILED', 'Say where: --app comfyui|lmstudio|text-generation-webui, or --to DIR.');
  return {
    repo: repoKey(ref),
    ...(revision ? { revision } : {}),
    ...(files.length ? { files } : {}),
    ...(app ? { app } : {}),
    ...(values.to ? { to: path.resolve(values.to) } : {}),
    ...(values.mode ? { mode: values.mode as ExportMode } : {}),
    ...(values.replace ? { replace: true } : {}),
    ...(values.create ? { createFolder: true } : {}),
  };
}

function printPlan(plan: ExportPlanView, mode: ExportMode | undefined): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${plan.id}@${plan.commit.slice(0, 8)} → ${plan.root} (${plan.because})`);
  for (const i of plan.items) {
    const kind = i.kind ? `  [${i.kind.folder}: ${i.kind.because}]` : '';
    out(`  ${i.path} → ${i.dest} (${formatBytes(i.size)})${i.state === 'same' ? '  already there' : ''}${kind}`);
    if (i.conflict)
      out(
        `    CONFLICT: ${i.dest} exists and is not this file: there ${i.conflict.kind} of ${formatBytes(i.conflict.size)}, sha256 ${i.conflict.sha256 ?? '(not hashed)'}; ours ${formatBytes(i.size)}, sha256 ${i.sha256 ?? '(git file)'} (--replace replaces it)`,
      );
  }
  for (const s of plan.skipped) out(`  skipped ${s.path}: ${s.why}`);
  if (!plan.sameDrive) out('  The cache is on another drive: no clone or hard link; a copy, a symlink, or move the cache there (hubcap cache mv).');
  if (!mode && !plan.suggested) for (const m of plan.modes.filter((x) => x.available)) out(`  --mode ${m.mode}: ${m.consequence}`);
  if (mode === 'link' || mode === 'symlink') out(`  ${plan.modes.find((m) => m.mode === mode)?.consequence}`);
  for (const p of plan.problems) out(`  ${p.code === 'FOLDER_MISSING' ? `${p.message} (--create makes it)` : p.message}`);
}

export async function exportModel(args: Parsed<ExportOptions>): Promise<number> {
  const input = inputOf(args);
  const core = await cliCore({ cacheDir: args.values['cache-dir'] });
  try {
    const plan = await call(core, 'export.plan', input);
    if (!args.values.json) printPlan(plan, input.mode);
    if (args.values['dry-run']) {
      if (args.values.json) process.stdout.write(`${JSON.stringify(plan)}\n`);
      return 0;
    }
    const result = await call(core, 'export.run', input);
    if (args.values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else
      process.stdout.write(
        `Placed ${result.placed} file${result.placed === 1 ? '' : 's'} by ${result.record.mode}${result.same ? ` (${result.same} already there)` : ''}${result.bytesCopied ? `, ${formatBytes(result.bytesCopied)} copied` : ''} in ${result.record.root}.\n`,
      );
    return 0;
  } finally {
    await core.close();
  }
}
