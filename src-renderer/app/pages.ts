import { Boxes, Compass, Download, HardDrive, MessageSquare, Settings, UserRound, type LucideIcon } from 'lucide-react';

export interface PageDef {
  path: string;
  label: string;
  icon: LucideIcon;
  /** One line on what the page is for (shown on pages still to come). */
  purpose: string;
}

export const PAGES: PageDef[] = [
  {
    path: '/gallery',
    label: 'Gallery',
    icon: Compass,
    purpose: 'Search the Hub, read model cards, pick a quantization and see whether it fits this machine before downloading.',
  },
  { path: '/library', label: 'Library', icon: Boxes, purpose: 'Everything runnable on this machine: models in the Hub cache and checkpoints you dropped in.' },
  { path: '/downloads', label: 'Downloads', icon: Download, purpose: 'Resumable, verified downloads with live progress, pause, resume and retry.' },
  { path: '/cache', label: 'Cache', icon: HardDrive, purpose: 'Browse the Hugging Face cache with readable names, see what takes space and delete safely.' },
  {
    path: '/chat',
    label: 'Chat',
    icon: MessageSquare,
    purpose: 'Chat with GGUF models on your GPU, in a separate process that a crashing model cannot take down.',
  },
  { path: '/account', label: 'Account', icon: UserRound, purpose: 'Sign in with a Hub token kept in your OS keychain; public models never need one.' },
  { path: '/settings', label: 'Settings', icon: Settings, purpose: 'Where the cache and Hubcap’s data live, offline mode, appearance and versions.' },
];
