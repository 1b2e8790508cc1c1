// @vitest-environment happy-dom
/** The toast tray: toasts stack, a group's newest replaces its last, the stack is bounded, and each goes by its own clock. */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dismissToast, showToast, TOAST_MS } from '../../../src-renderer/components/toasts/store';
import { ToastTray } from '../../../src-renderer/components/toasts/ToastTray';

const titles = () => screen.queryAllByTestId('toast').map((t) => t.querySelector('p')?.textContent);

afterEach(() => {
  cleanup();
  act(() => ['a', 'b', 'c', 'd', 'e', 'f', 'g1', 'g2', 's'].forEach(dismissToast));
  vi.useRealTimers();
});

describe('ToastTray', () => {
  it('stacks toasts in order, keeps at most four, and a group keeps only its newest', () => {
    render(<ToastTray />);
    act(() => {
      showToast({ id: 'a', tone: 'info', title: 'A', sticky: true });
      showToast({ id: 'b', tone: 'info', title: 'B', sticky: true });
    });
    expect(titles()).toEqual(['A', 'B']);
    act(() => {
      showToast({ id: 'g1', group: 'drop', tone: 'error', title: 'G1', sticky: true });
      showToast({ id: 'g2', group: 'drop', tone: 'success', title: 'G2', sticky: true });
    });
    expect(titles()).toEqual(['A', 'B', 'G2']);
    act(() => ['c', 'd', 'e'].forEach((id) => showToast({ id, tone: 'info', title: id.toUpperCase(), sticky: true })));
    expect(titles()).toEqual(['G2', 'C', 'D', 'E']);
  });

  it('dismisses by time, errors later than successes, and never a sticky one', () => {
    vi.useFakeTimers();
    render(<ToastTray />);
    act(() => {
      showToast({ id: 'a', tone: 'success', title: 'ok' });
      showToast({ id: 'b', tone: 'error', title: 'bad' });
      showToast({ id: 's', tone: 'info', title: 'needs you', sticky: true });
    });
    act(() => void vi.advanceTimersByTime(TOAST_MS.success + 10));
    expect(titles()).toEqual(['bad', 'needs you']);
    act(() => void vi.advanceTimersByTime(TOAST_MS.error));
    expect(titles()).toEqual(['needs you']);
    act(() => void vi.advanceTimersByTime(60_000));
    expect(titles()).toEqual(['needs you']);
    expect(TOAST_MS.error).toBeGreaterThan(TOAST_MS.success);
  });
});
