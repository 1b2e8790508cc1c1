/**
 * Remembered exports, in our data folder (`exports.json`): which revision's files were placed where,
 * and how. The Cache page shows where each model is also used, and a delete preview counts the
 * places it would break (symlinks into the cache dangle when their revision goes; clones, copies
 * and hard links keep their bytes). One record per repo, revision and target folder.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EXPORT_APPS, EXPORT_MODES, type ExportRecordView } from '../contract/export';
import { COMMIT_RE } from '../contract/ids';
import { RepoKeySchema } from '../contract/keys';
import { readOwnFileSync, writeFileAtomic } from '../base/atomic-write';

const RecordSchema = z.object({
  id: z.string().max(64),
  repo: RepoKeySchema,
  commit: z.string().regex(COMMIT_RE),
  app: z.enum(EXPORT_APPS).nullable(),
  root: z.string().max(4096),
  mode: z.enum(EXPORT_MODES),
  at: z.string().max(64),
  files: z.array(z.object({ path: z.string().max(1024), dest: z.string().max(4096) })).max(10_000),
});
export type ExportRecord = z.infer<typeof RecordSchema>;

/** Bound on what is kept: far more exports than a person makes. */
const MAX_RECORDS = 2_000;

/** What a delete preview needs to know of one export (see cache/delete-plan.ts `usesOutside`). */
export interface ExportUse {
  repo: string;
  commit: string;
  label: string;
  files: number;
  symlinks: number;
}

export class ExportRecords {
  readonly #file: string;

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'exports.json');
  }

  all(): ExportRecord[] {
    try {
      const parsed = JSON.parse(readOwnFileSync(this.#file)) as { exports?: unknown[] };
      // A record that does not parse is dropped, not trusted (the file is ours, but may be from another version).
      return (parsed.exports ?? []).flatMap((r) => {
        const ok = RecordSchema.safeParse(r);
        return ok.success ? [ok.data] : [];
      });
    } catch {
      return [];
    }
  }

  #write(records: ExportRecord[]): void {
    writeFileAtomic(this.#file, `${JSON.stringify({ exports: records.slice(-MAX_RECORDS) }, null, 1)}\n`);
  }

  /** Adds the files of one export, merged with an earlier export of that revision to that folder. */
  remember(entry: Omit<ExportRecord, 'id' | 'at'>): ExportRecord {
    const records = this.all();
    const old = records.find((r) => r.repo === entry.repo && r.commit === entry.commit && r.root === entry.root);
    const files = new Map((old?.files ?? []).map((f) => [f.path, f]));
    for (const f of entry.files) files.set(f.path, f);
    const record: ExportRecord = { ...entry, id: old?.id ?? randomUUID(), at: new Date().toISOString(), files: [...files.values()] };
    this.#write([...records.filter((r) => r !== old), record]);
    return record;
  }

  forget(id: string): boolean {
    const records = this.all();
    const kept = records.filter((r) => r.id !== id);
    if (kept.length === records.length) return false;
    this.#write(kept);
    return true;
  }

  /**
   * After the cache moved from `from` to `to`: each symlink Hubcap made that led into the old place
   * is made again to the same file in the new one (a new link under a temp name, renamed over the old:
   * never a moment without the name), so the other app keeps finding its model. A link the user has
   * since replaced, or that leads elsewhere, is left alone. Returns how many were re-pointed and
   * the ones that could not be.
   */
  async cacheMoved(from: string, to: string): Promise<{ repointed: number; failed: string[] }> {
    const oldRoot = path.resolve(from);
    let repointed = 0;
    const failed: string[] = [];
    for (const r of this.all().filter((x) => x.mode === 'symlink')) {
      for (const f of r.files) {
        const target = await fs.promises.readlink(f.dest).catch(() => null);
        if (target === null) continue;
        const abs = path.resolve(path.dirname(f.dest), target);
        const rel = path.relative(oldRoot, abs);
        if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) continue;
        const tmp = path.join(path.dirname(f.dest), `.hubcap-${randomUUID().slice(0, 12)}.tmp`);
        try {
          await fs.promises.symlink(path.join(to, rel), tmp);
          await fs.promises.rename(tmp, f.dest);
          repointed += 1;
        } catch {
          await fs.promises.rm(tmp, { force: true });
          failed.push(f.dest);
        }
      }
    }
    return { repointed, failed };
  }

  /** Each record with how many of its files are no longer at their place. */
  views(): ExportRecordView[] {
    return this.all().map((r) => ({ ...r, missing: r.files.filter((f) => !fs.lstatSync(f.dest, { throwIfNoEntry: false })).length }));
  }

  /** Where each revision is also used, for delete previews. */
  uses(appName: (app: ExportRecord['app']) => string): ExportUse[] {
    return this.all().map((r) => {
      let symlinks = 0;
      let files = 0;
      for (const f of r.files) {
        const st = fs.lstatSync(f.dest, { throwIfNoEntry: false });
        if (!st) continue;
        files += 1;
        if (st.isSymbolicLink()) symlinks += 1;
      }
      return { repo: r.repo, commit: r.commit, label: `${appName(r.app)} (${r.root})`, files, symlinks };
    });
  }
}
