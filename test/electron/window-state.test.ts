import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { trackWindowState, visibleBounds } from '../../src-main/electron/window-state';

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

describe('window state', () => {
  it('restores bounds only when they are on a display', () => {
    const b = { x: 100, y: 100, width: 1000, height: 700, maximized: false };
    expect(visibleBounds(b, screen)).toEqual(b);
    expect(visibleBounds({ ...b, x: 5000 }, screen)).toBeNull();
    expect(visibleBounds(null, screen)).toBeNull();
  });

  it('saves size and position after moves, debounced, and at close', () => {
    vi.useFakeTimers();
    const win = Object.assign(new EventEmitter(), {
      getNormalBounds: () => ({ x: 1.4, y: 2, width: 800, height: 600 }),
      isMaximized: () => true,
    });
    const save = vi.fn();
    trackWindowState(win, save, 100);
    win.emit('resize');
    win.emit('move');
    expect(save).not.toHaveBeenCalled();
    vi.advanceTimersByTime(150);
    expect(save).toHaveBeenCalledTimes(1);
    expect(save).toHaveBeenCalledWith({ x: 1, y: 2, width: 800, height: 600, maximized: true });
    win.emit('close');
    expect(save).toHaveBeenCalledTimes(2);
    vi.useRealTimers();
  });
});
