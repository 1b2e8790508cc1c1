/** Peak memory of a process, sampled from /proc (Linux), for "bounded whatever the server sends" checks. */
import fs from 'node:fs';

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every 20 ms until stopped; returns the peak in MiB. */
export function watchRss(pid: number): { stop(): number } {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
  return {
    stop: () => {
      clearInterval(timer);
      return peak / (1 << 20);
    },
  };
}

/** Runs fn in this process and reports how far RSS rose above where it started (MiB) and how long it took. */
export async function measured<T>(fn: () => Promise<T>): Promise<{ result: T | Error; riseMiB: number; ms: number }> {
  const before = rssOf(process.pid);
  const w = watchRss(process.pid);
  const started = Date.now();
  let result: T | Error;
  try {
    result = await fn();
  } catch (error) {
    result = error as Error;
  }
  const peak = w.stop();
  return { result, riseMiB: peak - before / (1 << 20), ms: Date.now() - started };
}
