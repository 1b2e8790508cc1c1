/**
 * File selection patterns select exactly what huggingface_hub's allow_patterns select: each pair
 * is checked against Python's own fnmatch, run side by side, so a difference is a failing case.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fnmatchToRegExp, matchesAny } from '../../src-main/downloads/patterns';

const PATHS = [
  'config.json',
  'sub/a.json',
  'model-Q4_K_M.gguf',
  'model-q4_k_m.gguf',
  'onnx/model.onnx',
  'a.b',
  'axb',
  'x[1].txt',
  'file?.md',
  'dir/',
  'dir/x',
  'README.md',
  '.gitattributes',
];
const PATTERNS = [
  '*.json',
  '*Q4_K_M.gguf',
  'onnx/',
  'onnx/*',
  'a.b',
  '?.?',
  '[ab].*',
  '[!a]x*',
  'x[1].txt',
  'x[[]1].txt',
  'file[?].md',
  'dir/*',
  '*',
  '.*',
  '[',
  'README.md',
  '*.{json,md}',
  'a+b',
  '(x)',
];

function pythonMatches(): boolean[][] {
  const script =
    'import fnmatch,json,sys\nd=json.load(sys.stdin)\nprint(json.dumps([[fnmatch.fnmatchcase(p, q if not q.endswith("/") else q+"*") for p in d["paths"]] for q in d["patterns"]]))';
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify({ paths: PATHS, patterns: PATTERNS }), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as boolean[][];
}

describe('allow_patterns, as Python reads them', () => {
  it('select the same files as fnmatch for every pattern and path', () => {
    const python = pythonMatches();
    const ours = PATTERNS.map((q) => PATHS.map((p) => fnmatchToRegExp(q).test(p)));
    // Reported by pattern, so a difference names the pattern that differs.
    expect(Object.fromEntries(PATTERNS.map((q, i) => [q, ours[i]]))).toEqual(Object.fromEntries(PATTERNS.map((q, i) => [q, python[i]])));
  });

  it('let * cross folders, end a folder pattern with everything in it, and match any of several', () => {
    expect(fnmatchToRegExp('*.json').test('deep/er/a.json')).toBe(true);
    expect(fnmatchToRegExp('onnx/').test('onnx/sub/model.onnx')).toBe(true);
    expect(fnmatchToRegExp('onnx/').test('onnx')).toBe(false);
    expect(matchesAny('model-Q4_K_M.gguf', ['*.json', '*Q4_K_M*'])).toBe(true);
    expect(matchesAny('model-Q8_0.gguf', ['*.json', '*Q4_K_M*'])).toBe(false);
    expect(matchesAny('x', [])).toBe(false);
    // A newline in a name is still matched by * (dotAll), as fnmatch does.
    expect(fnmatchToRegExp('a*').test('a\nb')).toBe(true);
  });
});
