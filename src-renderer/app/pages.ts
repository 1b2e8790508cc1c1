import type { LucideIcon } from 'lucide-react';
import { ROUTES } from './routes';

export interface PageDef {
  path: string;
  label: string;
  icon: LucideIcon;
}

/** The Sidebar's entries, from the route table (one home for each page's path, name and icon). */
export const PAGES: PageDef[] = ROUTES.flatMap((r) => (r.nav ? [{ path: r.nav.href, label: r.nav.label, icon: r.nav.icon }] : []));
