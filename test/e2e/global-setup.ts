import fs from 'node:fs';
import { findChromium, SHOTS } from './chromium';

/** Fail loudly, with the exact fix, when a prerequisite is missing; never skip. */
export default function setup(): void {
  findChromium();
  if (!fs.existsSync(new URL('../../out/renderer/index.html', import.meta.url))) {
    throw new Error('End-to-end tests run the built app, which is missing. Build it with:  npm run build');
  }
  fs.mkdirSync(SHOTS, { recursive: true });
}
