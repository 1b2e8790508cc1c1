/** Remembering the window's size and position, and never restoring it off-screen. */
import type { Rectangle } from 'electron';
import type { WindowBounds } from '../settings/schema';

/** Saved bounds are used only if they still overlap a display (monitors come and go). */
export function visibleBounds(saved: WindowBounds | null, workAreas: Rectangle[]): WindowBounds | null {
  if (!saved) return null;
  const overlaps = workAreas.some((a) => {
    const w = Math.min(saved.x + saved.width, a.x + a.width) - Math.max(saved.x, a.x);
    const h = Math.min(saved.y + saved.height, a.y + a.height) - Math.max(saved.y, a.y);
    return w >= 100 && h >= 50;
  });
  return overlaps ? saved : null;
}

export interface TrackableWindow {
  on(event: 'resize' | 'move' | 'close', listener: () => void): unknown;
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
}

export function trackWindowState(win: TrackableWindow, save: (bounds: WindowBounds) => void, delayMs = 400): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const b = win.getNormalBounds();
    save({ x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height), maximized: win.isMaximized() });
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, delayMs);
  };
  win.on('resize', schedule);
  win.on('move', schedule);
  win.on('close', flush);
}
