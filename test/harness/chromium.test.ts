import { describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS, findChromium } from '../e2e/chromium';

describe('e2e prerequisites', () => {
  it('fails with the exact install hint when Chromium is missing, never skips', () => {
    expect(() => findChromium(['/nonexistent/chromium'])).toThrow(/apt-get install -y chromium/);
  });

  it('launches Chromium with the workplace flags', () => {
    expect(CHROMIUM_FLAGS).toEqual(
      expect.arrayContaining([
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ]),
    );
  });
});
