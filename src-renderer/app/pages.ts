import { Boxes, Compass, Download, HardDrive, MessageSquare, PlugZap, Settings, Upload, UserRound, type LucideIcon } from 'lucide-react';

export interface PageDef {
  path: string;
  label: string;
  icon: LucideIcon;
}

export const PAGES: PageDef[] = [
  {
    path: '/gallery',
    label: 'Gallery',
    icon: Compass,
  },
  { path: '/library', label: 'Library', icon: Boxes },
  { path: '/downloads', label: 'Downloads', icon: Download },
  { path: '/cache', label: 'Cache', icon: HardDrive },
  {
    path: '/chat',
    label: 'Chat',
    icon: MessageSquare,
  },
  { path: '/publish', label: 'Publish', icon: Upload },
  { path: '/local-api', label: 'Local API', icon: PlugZap },
  { path: '/account', label: 'Account', icon: UserRound },
  { path: '/settings', label: 'Settings', icon: Settings },
];
