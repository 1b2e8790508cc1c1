import fs from 'node:fs';
import path from 'node:path';

/** Every regular file below a folder (none if it is gone): for "is the token anywhere on disk" checks. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

/** The unfinished download of a blob in a repo folder (`<etag>.<hex>.incomplete`), or null. */
export function partialOf(repoFolder: string, etag: string): string | null {
  const blobs = path.join(repoFolder, 'blobs');
  const name = fs.existsSync(blobs) ? fs.readdirSync(blobs).find((n) => n.startsWith(`${etag}.`) && n.endsWith('.incomplete')) : undefined;
  return name ? path.join(blobs, name) : null;
}
