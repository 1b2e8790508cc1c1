import type { SelectHTMLAttributes } from 'react';
import { cn } from '../../lib/cn';

/**
 * The platform's own select, styled like Input: keyboard, screen readers and long lists behave as
 * users expect, which a custom listbox would have to rebuild.
 */
export function NativeSelect({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select
      className={cn(
        'h-9 rounded-md border border-input bg-background px-2 text-sm focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-60',
        className,
      )}
      {...props}
    />
  );
}
