/**
 * File selection patterns with the semantics of huggingface_hub's allow_patterns, which use
 * Python's fnmatch: `*` also matches `/` ("*.json" selects "sub/a.json"), `?` one character,
 * `[…]` a class, and a pattern ending in "/" selects that folder. Our own ~20 lines because glob
 * libraries (picomatch, minimatch) stop `*` at `/` and would select different files than Python.
 */
export function fnmatchToRegExp(pattern: string): RegExp {
  let p = pattern.endsWith('/') ? `${pattern}*` : pattern;
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i] as string;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close === -1) out += '\\[';
      else {
        let cls = p.slice(i + 1, close);
        if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
        out += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  p = out;
  return new RegExp(`^${p}$`, 's');
}

export function matchesAny(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => fnmatchToRegExp(p).test(path));
}
