/**
 * Where a drop goes. The window-wide drop zone adds files to the Library, unless the page on
 * screen takes dropped paths itself (Publish takes folders and files to publish). Only where the
 * window knows paths (the desktop); under serve a drop is an upload, which only the Library takes.
 */
import { useEffect, useSyncExternalStore } from 'react';

export interface DropTarget {
  /** What the overlay says a drop will do. */
  label: string;
  take(paths: string[]): void;
}

let current: DropTarget | null = null;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

export const dropTarget = {
  get: (): DropTarget | null => current,
};

/** While mounted, drops of files or folders go to `take` instead of the Library. */
export function useDropTarget(label: string, take: (paths: string[]) => void): void {
  useEffect(() => {
    const mine: DropTarget = { label, take };
    current = mine;
    notify();
    return () => {
      if (current === mine) current = null;
      notify();
    };
  }, [label, take]);
}

export function useCurrentDropTarget(): DropTarget | null {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => current,
  );
}
