// @vitest-environment happy-dom
/**
 * The DOM setup (dom-setup.ts) unmounts what a test rendered before the next test; its drain
 * (settleReact) runs what React's scheduler posted, and what that posted in turn. The teardown race
 * it guards against (a task reading `window.event` after the DOM is gone) depends on timing and is
 * not staged here; its two parts are.
 */
import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/react';
import { settleReact } from './react-settle';

describe('DOM setup', () => {
  it('renders into a clean page', () => {
    expect(document.body.innerHTML).toBe('');
    render(<p>first</p>);
    expect(document.body.textContent).toBe('first');
  });

  it('unmounted the previous test’s render', () => {
    expect(document.body.innerHTML).toBe('');
  });
});

describe('settleReact', () => {
  it('runs what was posted with setImmediate, and what that posted in turn (the scheduler yielding)', async () => {
    const ran: string[] = [];
    setImmediate(() => {
      ran.push('first');
      setImmediate(() => ran.push('posted by the first'));
    });
    await settleReact();
    expect(ran).toEqual(['first', 'posted by the first']);
  });
});
