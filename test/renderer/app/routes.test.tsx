// @vitest-environment happy-dom
/** The route table and the boundary around its pages: optional params, the Sidebar's entries, a page that fails. */
import { lazy, Suspense } from 'react';
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PAGES } from '../../../src-renderer/app/pages';
import { PageBoundary } from '../../../src-renderer/app/PageBoundary';
import { HOME, ROUTES } from '../../../src-renderer/app/routes';

afterEach(() => vi.restoreAllMocks());

describe('route table', () => {
  it('gives the Sidebar every page but the model page, in order, each with a route', () => {
    expect(PAGES.map((p) => p.label)).toEqual(['Gallery', 'Library', 'Downloads', 'Cache', 'Chat', 'Publish', 'Local API', 'Account', 'Settings']);
    expect(ROUTES.some((r) => r.path === HOME)).toBe(true);
    expect(ROUTES.filter((r) => !r.nav).map((r) => r.path)).toEqual(['/model/:id']);
  });
});

function Boom(): never {
  throw new Error('render failed');
}

describe('PageBoundary', () => {
  it('shows a failed page as an alert in the main area, and clears it on the next page', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const Failing = lazy(() => Promise.reject(new Error('Failed to fetch dynamically imported module')));
    const { rerender } = render(
      <PageBoundary location="/cache">
        <Suspense fallback={null}>
          <Failing />
        </Suspense>
      </PageBoundary>,
    );
    expect((await screen.findByRole('alert')).textContent).toMatch(/could not be loaded: Hubcap may have been updated/);
    expect(screen.getByTestId('error-details').textContent).toMatch(/Failed to fetch dynamically imported module/);
    expect(screen.getByRole('button', { name: /Retry/ })).toBeTruthy();
    rerender(
      <PageBoundary location="/library">
        <p>library</p>
      </PageBoundary>,
    );
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByText('library')).toBeTruthy();
    rerender(
      <PageBoundary location="/chat">
        <Boom />
      </PageBoundary>,
    );
    expect(screen.getByRole('alert').textContent).toMatch(/stopped while drawing/);
    expect(screen.getByTestId('error-details').textContent).toMatch(/render failed/);
  });
});
