import type { LucideIcon } from 'lucide-react';
import { ROUTES } from './routes';

export interface PageDef {
  path: string;
  label: string;
  icon: LucideIcon;
  /** Fetches the page's chunk ahead of a click (pointed at, focused). */
  preload: () => void;
}

/** The Sidebar's entries, from the route table (one home for each page's path, name and icon). */
export const PAGES: PageDef[] = ROUTES.flatMap((r) =>
  r.nav ? [{ path: r.nav.href, label: r.nav.label, icon: r.nav.icon, preload: () => void r.load().catch(() => undefined) }] : [],
);
