/** Dropping files on the window in Chromium, as the OS would: drag events carrying the files. */
import type { Page } from 'playwright-core';

export async function dropFiles(page: Page, files: { name: string; bytes: number[] }[], release = true): Promise<void> {
  await page.evaluate(
    ({ files, release }) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
      window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      if (release) window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { files, release },
  );
}
