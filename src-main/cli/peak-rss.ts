/**
 * This process's peak resident memory, for a benchmark's result line. On Linux it is VmHWM, the
 * high-water mark of this program's own address space. getrusage's ru_maxrss is not: the kernel
 * carries it across execve, so a child forked from a big parent (a benchmark that serves the fake
 * Hub from its own heap) reports the parent's size, 360 MB for a download that peaked at 140.
 */
import fs from 'node:fs';

/** VmHWM from a /proc/<pid>/status text, in bytes; undefined if absent. */
export function vmHwmBytes(status: string): number | undefined {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

export function peakRssBytes(): number {
  let status = '';
  try {
    status = fs.readFileSync('/proc/self/status', 'utf8');
  } catch {
    // Not Linux: ru_maxrss is the best there is.
  }
  return vmHwmBytes(status) ?? process.resourceUsage().maxRSS * 1024;
}
