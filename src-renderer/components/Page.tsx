import type { ReactNode } from 'react';
import { cn } from '../lib/cn';

/**
 * Every page's frame: one content width and one left edge, so moving between pages does not make
 * the content jump. Pages that fill the height (the Gallery's list) pass `fill`.
 */
export function Page({ children, fill = false, className }: { children: ReactNode; fill?: boolean; className?: string }) {
  return (
    <div className={cn('mx-auto w-full max-w-5xl px-4 py-6 md:px-8 md:py-8', fill ? 'flex h-full flex-col gap-5' : 'space-y-6', className)}>{children}</div>
  );
}
