// @vitest-environment happy-dom
/**
 * The DOM setup unmounts what a test rendered, and lets React's scheduler run what a late update
 * queued (a task that reads `window.event`) before the file's DOM is torn down.
 */
import { useEffect, useState } from 'react';
import { afterAll, describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';

let eventReads = 0;

function Late() {
  const [n, setN] = useState(0);
  useEffect(() => {
    // An update outside act, as a settling mutation makes: its commit queues passive effects on the scheduler.
    if (n === 0) void Promise.resolve().then(() => setN(1));
  }, [n]);
  return <p>late {n}</p>;
}

describe('DOM setup', () => {
  it('renders into a clean page', () => {
    expect(document.body.innerHTML).toBe('');
    render(<p>first</p>);
  });

  it('unmounted the previous test, and ends with a late commit whose effects are still queued', async () => {
    expect(document.body.innerHTML).toBe('');
    render(<Late />);
    await screen.findByText('late 1');
    Object.defineProperty(window, 'event', {
      configurable: true,
      get: () => {
        eventReads++;
        return undefined;
      },
    });
  });

  // The last hook before teardown: the queued task must have run by now, while `window` exists.
  afterAll(() => expect(eventReads).toBeGreaterThan(0));
});
