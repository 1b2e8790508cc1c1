import * as ProgressPrimitive from '@radix-ui/react-progress';
import { cn } from '../../lib/cn';

export function Progress({
  value,
  className,
  tone = 'primary',
  label,
}: {
  value: number;
  className?: string;
  tone?: 'primary' | 'success' | 'danger' | 'muted';
  label: string;
}) {
  const pct = Math.max(0, Math.min(100, value));
  return (
    <ProgressPrimitive.Root value={pct} aria-label={label} className={cn('relative h-2 w-full overflow-hidden rounded-full bg-muted', className)}>
      <ProgressPrimitive.Indicator
        className={cn(
          'h-full transition-[width] duration-200',
          tone === 'primary' && 'bg-primary',
          tone === 'success' && 'bg-success',
          tone === 'danger' && 'bg-danger',
          tone === 'muted' && 'bg-muted-foreground/50',
        )}
        style={{ width: `${pct}%` }}
      />
    </ProgressPrimitive.Root>
  );
}
