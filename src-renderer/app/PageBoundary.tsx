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
    if (this.state.error === null) return this.props.children;
    return (
      <div className="p-8">
        <ErrorNotice
          error={new Error(`This page could not be shown: ${(this.state.error as Error).message ?? String(this.state.error)}`)}
          onRetry={() => location.reload()}
        />
      </div>
    );
  }
}
