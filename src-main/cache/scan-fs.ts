/** File-system reads for the cache scan that never throw: a file another program removes mid-scan is simply absent. */
import fs from 'node:fs';
import path from 'node:path';

export function safeReaddir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
export function safeStat(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
export function safeLstat(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}
export function safeReadlink(p: string): string | null {
  try {
    return fs.readlinkSync(p);
  } catch {
    return null;
  }
}
export function safeRealpath(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

export function* walkFiles(dir: string): Generator<string> {
  for (const e of safeReaddir(dir)) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walkFiles(p);
    else if (e.isFile()) yield p;
  }
}

/** Files and links below a snapshot, without following links to folders (iterative: no generator overhead). */
export function walkEntries(dir: string): { path: string; isSymbolicLink: boolean }[] {
  const out: { path: string; isSymbolicLink: boolean }[] = [];
  const stack = [dir];
  while (stack.length) {
    const current = stack.pop() as string;
    for (const e of safeReaddir(current)) {
      const p = path.join(current, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isSymbolicLink()) out.push({ path: p, isSymbolicLink: true });
      else if (e.isFile()) out.push({ path: p, isSymbolicLink: false });
    }
  }
  return out;
}
