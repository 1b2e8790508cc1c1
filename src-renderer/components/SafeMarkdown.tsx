import Markdown from 'react-markdown';
import { useExternalLinks } from '../api/app';
import { HUB_IMAGE_HOSTS } from '../../src-main/contract/hub-hosts';

/**
 * Markdown from outside (a model card, a model's answer), rendered safely: raw HTML is dropped
 * (never executed), links open in the system browser, and images load only from the Hub's own hosts
 * (the CSP enforces the same) or, for model answers, not at all: an image URL written by a model
 * would be a request to wherever it chose.
 */
export function SafeMarkdown({ text, images = 'hub', testId }: { text: string; images?: 'hub' | 'none'; testId?: string }) {
  const links = useExternalLinks();
  return (
    <div
      className="space-y-3 text-sm leading-relaxed [&_code]:rounded [&_code]:bg-muted [&_code]:px-1 [&_code]:font-mono [&_h1]:text-xl [&_h1]:font-semibold [&_h2]:text-lg [&_h2]:font-semibold [&_h3]:font-semibold [&_li]:ml-5 [&_ol]:list-decimal [&_pre]:overflow-x-auto [&_pre]:rounded-md [&_pre]:bg-muted [&_pre]:p-3 [&_table]:text-xs [&_td]:border [&_td]:border-border [&_td]:px-2 [&_th]:border [&_th]:border-border [&_th]:px-2 [&_ul]:list-disc"
      data-testid={testId}
    >
      <Markdown
        skipHtml
        components={{
          a: ({ href, children }) => {
            const safe = href && /^https?:\/\//i.test(href) ? href : null;
            if (!safe) return <span>{children}</span>;
            if (links.viaCore) {
              return (
                <a
                  href={safe}
                  className="text-primary underline"
                  onClick={(e) => {
                    e.preventDefault();
                    links.open(safe);
                  }}
                >
                  {children}
                </a>
              );
            }
            return (
              <a href={safe} target="_blank" rel="noreferrer noopener" className="text-primary underline">
                {children}
              </a>
            );
          },
          img: ({ src, alt }) => {
            const url = typeof src === 'string' ? src : '';
            const allowed = images === 'hub' && HUB_IMAGE_HOSTS.some((h) => url.startsWith(`${h}/`));
            return allowed ? (
              <img src={url} alt={alt ?? ''} className="max-w-full" referrerPolicy="no-referrer" />
            ) : (
              <span className="italic text-muted-foreground">[image: {alt || 'not shown'}]</span>
            );
          },
        }}
      >
        {text}
      </Markdown>
    </div>
  );
}
