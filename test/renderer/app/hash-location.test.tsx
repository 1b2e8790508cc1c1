// @vitest-environment happy-dom
import { act, render, screen } from '@testing-library/react';
import { Route, Router, useSearch } from 'wouter';
import { beforeEach, describe, expect, it } from 'vitest';
import { navigate, useHashLocation } from '../../../src-renderer/app/hash-location';

function Show() {
  const search = useSearch();
  return <p data-testid="search">{search}</p>;
}

beforeEach(() => {
  history.replaceState(null, '', '/#/');
});

describe('hash routing with a query inside the hash', () => {
  it('routes on the path and gives the page its own query, which changes with the hash', () => {
    history.replaceState(null, '', '/#/gallery?q=llama&sort=likes');
    render(
      <Router hook={useHashLocation}>
        <Route path="/gallery">
          <Show />
        </Route>
        <Route path="/library">
          <p data-testid="library">library</p>
        </Route>
      </Router>,
    );
    expect(screen.getByTestId('search').textContent).toBe('q=llama&sort=likes');
    act(() => navigate('/gallery?q=qwen'));
    expect(screen.getByTestId('search').textContent).toBe('q=qwen');
    // The query belongs to the page: none is left behind on the next one, nor in location.search.
    act(() => navigate('/library'));
    expect(screen.getByTestId('library')).toBeTruthy();
    expect(location.search).toBe('');
  });

  it('pushes a history entry per change, or replaces the current one when asked', () => {
    const before = history.length;
    navigate('/gallery?q=a');
    navigate('/gallery?q=ab', { replace: true });
    expect(history.length).toBe(before + 1);
    expect(location.hash).toBe('#/gallery?q=ab');
    navigate('/gallery?q=ab');
    expect(history.length).toBe(before + 1);
  });
});
