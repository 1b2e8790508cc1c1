import { useEffect, useRef, useState } from 'react';
import { CheckCircle2, Info, X, XCircle } from 'lucide-react';
import { cn } from '../../lib/cn';
import { Button } from '../ui/button';
import { dismissToast, TOAST_MS, useToasts, type Toast } from './store';

const ICON = { success: CheckCircle2, error: XCircle, info: Info } as const;

/** One toast: its own clock, paused while the pointer or the focus is on it (reading is not ignoring). */
function ToastCard({ toast }: { toast: Toast }) {
  const [held, setHeld] = useState(false);
  const left = useRef(TOAST_MS[toast.tone]);
  useEffect(() => {
    left.current = TOAST_MS[toast.tone];
  }, [toast]);
  useEffect(() => {
    if (toast.sticky || held) return;
    const started = Date.now();
    const timer = setTimeout(() => dismissToast(toast.id), left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(1000, left.current - (Date.now() - started));
    };
  }, [toast, held]);
  const Icon = ICON[toast.tone];
  return (
    <div
      role={toast.tone === 'error' ? 'alert' : 'status'}
      data-testid={toast.testId ?? 'toast'}
      data-tone={toast.tone}
      data-sticky={toast.sticky ? 'true' : undefined}
      onPointerEnter={() => setHeld(true)}
      onPointerLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
      className="pointer-events-auto flex w-full items-start gap-2 rounded-xl border border-border bg-card p-3 shadow-md sm:w-96"
    >
      <Icon
        className={cn('mt-0.5 size-4 shrink-0', toast.tone === 'success' ? 'text-success' : toast.tone === 'error' ? 'text-danger' : 'text-primary')}
        aria-hidden
      />
      <div className="min-w-0 flex-1 space-y-1">
        <p className="text-sm font-semibold">{toast.title}</p>
        {toast.body}
      </div>
      <Button size="icon" variant="ghost" className="-my-1 size-7" onClick={() => dismissToast(toast.id)} aria-label="Dismiss">
        <X />
      </Button>
    </div>
  );
}

/**
 * Where toasts show: a strip in the layout, above the status bar, right-aligned. It takes its own
 * room instead of floating, so it never covers the chat's composer or a page's primary button.
 */
export function ToastTray() {
  const toasts = useToasts();
  if (!toasts.length) return null;
  return (
    <section
      aria-label="Notifications"
      aria-live="polite"
      className="flex shrink-0 flex-col items-end gap-2 border-t border-border bg-background px-4 py-2"
      data-testid="toast-tray"
    >
      {toasts.map((t) => (
        <ToastCard key={t.id} toast={t} />
      ))}
    </section>
  );
}
