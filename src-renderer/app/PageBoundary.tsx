import { Component, type ReactNode } from 'react';
import { ErrorNotice } from '../components/ErrorNotice';

/**
 * A page that cannot load (its chunk missing after `hubcap serve` was updated under an open
 * window, the connection gone mid-fetch) or that fails while drawing says so in the main area,
 * with a reload, instead of taking the whole window down. Moving to another page clears it.
 */
export class PageBoundary extends Component<{ location: string; children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: unknown } {
    return { error };
  }

  override componentDidUpdate(before: { location: string }): void {
    if (this.state.error !== null && before.location !== this.props.location) this.setState({ error: null });
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    const raw = error instanceof Error ? error.message : String(error);
    // Chromium, Firefox and Safari word a missing chunk differently; all name a module import.
    const missing = /dynamically imported module|Importing a module script failed/i.test(raw);
    const sentence = missing
      ? 'This page could not be loaded: Hubcap may have been updated since this window opened. Reload to get the current version.'
      : 'This page stopped while drawing. Reload to start it again.';
    return (
      <div className="space-y-1 p-8">
        <ErrorNotice error={new Error(sentence)} onRetry={() => location.reload()} />
        <details className="px-3 text-xs text-muted-foreground" data-testid="error-details">
          <summary className="cursor-pointer select-none">Details</summary>
          <code className="font-mono break-all">{raw}</code>
        </details>
      </div>
    );
  }
}
