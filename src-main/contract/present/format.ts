/** Human-readable sizes and durations, shared by the UI and the command line. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

// Made at first use: building a compact formatter loads ICU data (~20 ms), which every CLI command paid at start (#25).
let compact: Intl.NumberFormat | null = null;

/** 1.2K, 3.4M: downloads, likes, parameter counts. */
export function formatCount(n: number): string {
  compact ??= new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
  return compact.format(n);
}

/** "5 min ago", "3 h ago", "12 d ago" from epoch ms or an ISO date; "—" when unknown. */
export function formatAgo(when: number | string | null, now = Date.now()): string {
  const ms = typeof when === 'string' ? Date.parse(when) : when;
  if (!ms || !Number.isFinite(ms)) return '—';
  const d = Math.max(0, (now - ms) / 1000);
  if (d < 3600) return `${Math.max(1, Math.round(d / 60))} min ago`;
  if (d < 86_400) return `${Math.round(d / 3600)} h ago`;
  if (d < 60 * 86_400) return `${Math.round(d / 86_400)} d ago`;
  return `${Math.round(d / (30 * 86_400))} months ago`;
}

/** "1 blob", "3 blobs": a count with its noun, singular or plural (plural defaults to noun + s). */
export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? noun : many}`;
}
