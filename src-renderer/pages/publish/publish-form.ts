/**
 * The Publish page's logic without a browser: the form's fields into the contract's source and
 * target, the repo name checked with the Hub's rules as it is typed, and the card's metadata
 * checked as YAML before anything is sent (the Hub refuses a card whose metadata does not parse).
 */
import { parse } from 'yaml';
import type { RequestInput } from '../../../src-main/contract/api';
import { repoNameProblem, type PublishPlan } from '../../../src-main/contract/publish';

export interface PublishForm {
  item: string | null;
  paths: string[];
  namespace: string;
  name: string;
  repoType: 'model' | 'dataset';
  isPrivate: boolean;
  license: string;
  revision: string;
  createPr: boolean;
  pathInRepo: string;
  include: string;
  exclude: string;
}

export const LICENSES = ['', 'apache-2.0', 'mit', 'openrail++', 'creativeml-openrail-m', 'cc-by-4.0', 'cc-by-nc-4.0', 'llama3.2', 'gemma', 'other'];

const globs = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((g) => g.trim())
    .filter(Boolean);

export function planInput(f: PublishForm): RequestInput<'publish.plan'> {
  return {
    source: { paths: f.paths, ...(f.item ? { item: f.item } : {}) },
    target: {
      repo: `${f.namespace}/${f.name.trim()}`,
      repoType: f.repoType,
      revision: f.revision.trim() || 'main',
      createPr: f.createPr,
      pathInRepo: f.pathInRepo.trim(),
      include: globs(f.include),
      exclude: globs(f.exclude),
      private: f.isPrivate,
      license: f.license,
    },
  };
}

/** The commit asked for: the plan's request, the message, the card when one is sent, and the head the plan compared against. */
export function publishInput(
  f: PublishForm,
  plan: Pick<PublishPlan, 'needsCard' | 'parentCommit'>,
  commit: { message: string; description: string; card: string },
): RequestInput<'publish.start'> {
  return {
    ...planInput(f),
    message: commit.message,
    description: commit.description,
    ...(plan.needsCard && commit.card.trim() ? { card: commit.card } : {}),
    ...(plan.parentCommit ? { parentCommit: plan.parentCommit } : {}),
  };
}

/** How many files the commit would change: those added or replaced, and the card when one is sent. */
export function changeCount(plan: Pick<PublishPlan, 'needsCard' | 'totals'>, card: string): number {
  return plan.totals.add + plan.totals.replace + (plan.needsCard && card.trim() ? 1 : 0);
}

/** Why the form cannot be reviewed yet, in words; null when it can. */
export function formProblem(f: PublishForm): string | null {
  if (!f.item && f.paths.length === 0) return 'Add the files or folder to publish.';
  if (!f.namespace) return 'Choose where to publish (sign in first).';
  return repoNameProblem(f.name.trim());
}

/** A suggested name: the folder's or file's name, made acceptable to the Hub. */
export function suggestName(p: string): string {
  const base = (p.split(/[\\/]/).filter(Boolean).pop() ?? '').replace(/\.(gguf|safetensors|bin)$/i, '');
  return base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
    .slice(0, 96);
}

/** The card's front matter problem, or null: it must close, parse as YAML, and be a mapping. */
export function cardProblem(card: string): string | null {
  if (!card.startsWith('---')) return null;
  const m = /^---\r?\n([\s\S]*?)\r?\n---\s*(\r?\n|$)/.exec(card);
  if (!m) return 'The metadata block at the top is not closed with a --- line.';
  try {
    const data = parse(m[1] as string) as unknown;
    if (data !== null && (typeof data !== 'object' || Array.isArray(data))) return 'The metadata must be "key: value" lines.';
    const base = (data as Record<string, unknown> | null)?.base_model;
    if (base !== undefined && typeof base !== 'string' && !Array.isArray(base)) return 'base_model must be a repo id like org/name.';
    return null;
  } catch (error) {
    return `The metadata is not valid YAML: ${(error as Error).message.split('\n')[0]}`;
  }
}
