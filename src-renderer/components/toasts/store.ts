/**
 * Toasts: short notices about something that just happened elsewhere than where the user looks
 * (files dropped on the window). They dismiss themselves (about 5 s, longer for errors), except
 * those that need an action, which stay until dismissed; several stack. A module-level store, as
 * the drop target is: whatever shows a toast need not be under the tray in the tree.
 */
import { useSyncExternalStore, type ReactNode } from 'react';

export type ToastTone = 'success' | 'error' | 'info';

export interface Toast {
  id: string;
  tone: ToastTone;
  title: string;
  body?: ReactNode;
  /** Needs the user (a choice, a running upload): never dismissed by time. */
  sticky?: boolean;
  /** Toasts of one group replace each other (the latest drop's result replaces the last one's). */
  group?: string;
  testId?: string;
}

/** How long a toast stays, by tone; a sticky one has no limit. */
export const TOAST_MS: Record<ToastTone, number> = { success: 5000, info: 5000, error: 10_000 };
/** More than this and the oldest go: a stack, never a wall over the page. */
const MAX = 4;

let toasts: readonly Toast[] = [];
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

export function showToast(toast: Toast): void {
  const rest = toasts.filter((t) => t.id !== toast.id && (!toast.group || t.group !== toast.group));
  toasts = [...rest, toast].slice(-MAX);
  notify();
}

export function dismissToast(id: string): void {
  if (!toasts.some((t) => t.id === id)) return;
  toasts = toasts.filter((t) => t.id !== id);
  notify();
}

export function useToasts(): readonly Toast[] {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => toasts,
  );
}
