/**
 * "Use in another app": a cached revision's files placed where another program looks (ComfyUI,
 * LM Studio, text-generation-webui, or any folder) with readable names, without a second copy where
 * the disk allows it. Planned first (where each file goes, what is already there, what each way
 * of placing it costs), then run; exports are remembered so the Cache page and delete previews
 * know where a model is also used.
 */
import { z } from 'zod';
import { RepoKeySchema } from './keys';
import { Empty, request } from './request';

/** The apps whose model folders Hubcap knows (their default places are in src-main/apps/locations.ts). */
export const EXPORT_APPS = ['comfyui', 'lm-studio', 'text-generation-webui'] as const;
export type ExportApp = (typeof EXPORT_APPS)[number];

/**
 * clone: a copy-on-write clone (btrfs, XFS, APFS, ZFS…): no extra space, independent bytes.
 * link: a hard link: no extra space, but the bytes are shared with the cache.
 * symlink: a link to the cache's file: no extra space, breaks if the cache moves or the revision goes.
 * copy: a full copy: costs the size.
 */
export const EXPORT_MODES = ['clone', 'link', 'symlink', 'copy'] as const;
export type ExportMode = (typeof EXPORT_MODES)[number];

export interface ExportModeView {
  mode: ExportMode;
  available: boolean;
  /** What choosing it means, in one sentence (or why it is not possible here). */
  consequence: string;
}

/** What is already at a destination that is not this file: never overwritten unless asked, each side shown. */
export interface ExportConflict {
  size: number;
  /** null when not hashed (its size already differs and it is large). */
  sha256: string | null;
  /** A link, a folder or another kind of entry rather than a file. */
  kind: 'file' | 'symlink' | 'other';
}

export interface ExportItemView {
  /** Path in the repo. */
  path: string;
  /** Where it goes, relative to the target folder. */
  dest: string;
  size: number;
  /** The file's sha256 (its blob name for LFS/Xet files; hashed for small git files). */
  sha256: string | null;
  /** ComfyUI: the models sub-folder chosen from what the file is, and why. */
  kind?: { folder: string; because: string };
  /** new: nothing there; same: this very file is already there; conflict: something else is. */
  state: 'new' | 'same' | 'conflict';
  conflict?: ExportConflict;
}

export type ExportProblemCode = 'FOLDER_MISSING' | 'NOT_WRITABLE' | 'INSIDE_CACHE' | 'LINKS_ELSEWHERE' | 'BAD_NAME' | 'NOT_A_FOLDER';

export interface ExportPlanView {
  repo: string;
  id: string;
  commit: string;
  app: ExportApp | null;
  /** The folder files go under (the app's models folder, or the folder given). */
  root: string;
  /** Why that folder (the app's default, its settings, the one given). */
  because: string;
  rootExists: boolean;
  /** The cache and the target are on the same drive (clone and hard link need it). */
  sameDrive: boolean;
  modes: ExportModeView[];
  /** clone where it works; otherwise null: the user chooses, seeing each consequence. */
  suggested: ExportMode | null;
  totalBytes: number;
  items: ExportItemView[];
  /** Files left out and why (ComfyUI reads only weights). */
  skipped: { path: string; why: string }[];
  /** What stops the export until the user fixes or allows it. */
  problems: { code: ExportProblemCode; message: string }[];
}

export interface ExportRecordView {
  id: string;
  repo: string;
  commit: string;
  app: ExportApp | null;
  root: string;
  mode: ExportMode;
  at: string;
  files: { path: string; dest: string }[];
  /** Files of the record no longer at their place (deleted by the user or the app). */
  missing: number;
}

export interface ExportResult {
  record: ExportRecordView;
  placed: number;
  /** Already there (this very file). */
  same: number;
  /** Conflicting files replaced because the request allowed it. */
  replaced: number;
  /** Bytes that now take space twice (copies). */
  bytesCopied: number;
}

// ---------- requests ----------

export const ExportInput = z
  .object({
    repo: RepoKeySchema,
    /** A ref (`main`, `v1.0`) or a commit (prefix of at least 4); the revision `main` names, else the newest. */
    revision: z.string().min(1).max(256).optional(),
    /** Paths in the repo; all the revision's files (for ComfyUI: its weights) when absent. */
    files: z.array(z.string().min(1).max(1024)).max(10_000).optional(),
    app: z.enum(EXPORT_APPS).optional(),
    /** The target folder: the app's models folder instead of its default, or a plain folder (files at their repo paths). */
    to: z.string().min(1).max(4096).optional(),
    mode: z.enum(EXPORT_MODES).optional(),
    /** Replace the conflicting files the plan showed. */
    replace: z.boolean().optional(),
    /** Create the target folder when it does not exist. */
    createFolder: z.boolean().optional(),
  })
  .strict()
  .refine((v) => v.app !== undefined || v.to !== undefined, { message: 'Say which app or which folder.' });
export type ExportInput = z.infer<typeof ExportInput>;

export const exportRequests = {
  'export.plan': request<ExportPlanView>()(ExportInput),
  'export.run': request<ExportResult>()(ExportInput),
  'export.list': request<ExportRecordView[]>()(Empty),
  /** Forget a remembered export (its files stay where they are). */
  'export.forget': request<{ forgotten: boolean }>()(z.object({ id: z.string().min(1).max(64) }).strict()),
} as const;
