/** The Hub's Link pagination: the next page is found in a Link header and only followed on the Hub's own origin. */
import { describe, expect, it } from 'vitest';
import { HubHttp } from '../../src-main/hub/http';
import { nextLink, nextPageUrl } from '../../src-main/hub/pagination';

const hub = new HubHttp({ endpoint: 'https://huggingface.co', token: () => null, offline: () => false });
const withLink = (link: string | null) => new Response(null, link === null ? {} : { headers: { link } });

describe('nextLink', () => {
  it('finds rel="next" among several links, quoted or not, and nothing at the last page', () => {
    expect(nextLink('<https://hf.co/api/x?cursor=2>; rel="next"')).toBe('https://hf.co/api/x?cursor=2');
    expect(nextLink('<https://hf.co/a?p=1>; rel="prev", <https://hf.co/a?p=3>; rel=next')).toBe('https://hf.co/a?p=3');
    expect(nextLink('<https://hf.co/a?p=3>; type="json"; rel="next"')).toBe('https://hf.co/a?p=3');
    expect(nextLink('<https://hf.co/a?p=1>; rel="prev"')).toBeNull();
    expect(nextLink('<https://hf.co/a?p=1>; rel="nextish"')).toBeNull();
    expect(nextLink('')).toBeNull();
    expect(nextLink(null)).toBeNull();
    expect(nextLink('https://hf.co/a; rel="next"')).toBeNull();
  });
});

describe('nextPageUrl', () => {
  it('follows a next page on the Hub, relative or absolute, and stops at the end', () => {
    expect(nextPageUrl(withLink('<https://huggingface.co/api/models/a/tree/main?cursor=abc>; rel="next"'), hub)).toBe(
      'https://huggingface.co/api/models/a/tree/main?cursor=abc',
    );
    expect(nextPageUrl(withLink('</api/models?cursor=2>; rel="next"'), hub)).toBe('https://huggingface.co/api/models?cursor=2');
    expect(nextPageUrl(withLink(null), hub)).toBeNull();
  });

  it('refuses a next page on another host, so a listing cannot send the token elsewhere', () => {
    expect(() => nextPageUrl(withLink('<https://evil.example/api?cursor=2>; rel="next"'), hub)).toThrow(/another host \(evil\.example\)/);
    expect(() => nextPageUrl(withLink('<//evil.example/api>; rel="next"'), hub)).toThrow(/another host/);
    expect(() => nextPageUrl(withLink('<http://[::1>; rel="next"'), hub)).toThrow(/not a URL/);
  });
});
