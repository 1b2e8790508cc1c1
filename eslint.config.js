// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** Layers, enforced here rather than remembered (VS Code style). */
const ELECTRON_ONLY = {
  paths: [
    { name: 'electron', message: 'Only src-main/electron/ (the desktop shell) may import electron: it downloads its binary when loaded.' },
    { name: 'electron-store', message: 'Only the desktop shell uses electron-store; plain Node code uses conf (src-main/settings/conf-backend.ts).' },
  ],
  patterns: [{ regex: '(^|/)electron/(?!.*stand-in)', message: 'Core code must not depend on the desktop shell.' }],
};

const NODE_BUILTINS = ['fs', 'path', 'os', 'http', 'child_process', 'net', 'crypto', 'stream', 'worker_threads'];

/**
 * The walls between src-main's folders, lowest first (docs/architecture.md draws the same map).
 * A folder may import only folders of lower layers: never a higher one, and never a peer of its own
 * layer (downloads, library and account stay independent of one another). Shells sit on top.
 */
export const LAYERS = [
  ['contract'],
  ['base', 'ui-assets', 'types'],
  ['hub'],
  ['xet'],
  ['settings'],
  ['cache'],
  ['downloads', 'library', 'account'],
  ['inference', 'apps'],
  ['chat'],
  ['publish', 'localapi', 'export', 'updates'],
  ['mirror'],
  ['desktop'],
  ['core'],
  ['rpc'],
  ['serve'],
  ['cli', 'electron'],
];

function layerConfigs() {
  return LAYERS.flatMap((layer, i) =>
    layer
      .filter((folder) => folder !== 'contract')
      .map((folder) => {
        const forbidden = [...LAYERS.slice(i + 1).flat(), ...layer.filter((f) => f !== folder)];
        const wall = {
          regex: `(^|/)(${forbidden.join('|')})/`,
          message: `${folder}/ sits below ${forbidden.join(', ')} (docs/architecture.md): move the shared piece down, or pass it in.`,
        };
        const electron = folder === 'electron';
        return {
          files: [`src-main/${folder}/**/*.ts`],
          rules: {
            'no-restricted-imports': ['error', electron ? { patterns: [wall] } : { paths: ELECTRON_ONLY.paths, patterns: [...ELECTRON_ONLY.patterns, wall] }],
          },
        };
      }),
  );
}

/**
 * The renderer reaches the core only through the contract; `extra` adds a wall for some of its folders.
 * @param {{ group: string[]; importNames: string[]; message: string }} [extra]
 */
function rendererImports(extra) {
  return {
    paths: [
      { name: 'electron', message: 'The renderer reaches the core only through the contract.' },
      { name: 'node-llama-cpp', message: 'Inference runs in the core, never in the renderer.' },
      { name: '@napi-rs/keyring', message: 'Tokens never reach the renderer.' },
      { name: 'conf', message: 'Settings live in the core.' },
    ],
    patterns: [
      { regex: 'src-main/(?!contract/)', message: 'The renderer may import only src-main/contract (the API contract).' },
      { regex: `^(node:)?(${NODE_BUILTINS.join('|')})$`, message: 'The renderer runs in a browser: no Node built-ins.' },
      ...(extra ? [extra] : []),
    ],
  };
}

/**
 * Folders that open paths another app, another user or a folder the user picked can control (other
 * apps' folders, the shared cache, dropped files, publish sources, token files under HF_HOME). There
 * a FIFO, a device or a planted link must never be opened, copied from or written through blindly
 * (#23), so file opens, copies and in-place writes go through one module.
 */
const FOREIGN_PATH_FOLDERS = ['apps', 'library', 'publish', 'cache', 'downloads', 'xet', 'account', 'mirror', 'export', 'updates'];
const OPENERS =
  '^(open|openSync|readFile|readFileSync|createReadStream|openAsBlob|copyFile|copyFileSync|cp|cpSync|writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|truncate|truncateSync)$';
const UNTRUSTED_ONLY =
  'Open, copy or write files here through src-main/base/untrusted-file.ts (lstat first, regular files only, no blind links, O_NOFOLLOW|O_NONBLOCK, O_EXCL for new names, deadlines); read our own records with readOwnFileSync (app/atomic-write.ts).';
const FS_MODULE = '/^(node:)?fs(\\/promises)?$/';

export const UNTRUSTED_FILE_RULE = [
  'error',
  { selector: `MemberExpression[object.name=/^(fs|fsp|fsPromises)$/][property.name=/${OPENERS}/]`, message: UNTRUSTED_ONLY },
  { selector: `MemberExpression[object.property.name='promises'][property.name=/${OPENERS}/]`, message: UNTRUSTED_ONLY },
  { selector: `ImportDeclaration[source.value=${FS_MODULE}] > ImportSpecifier[imported.name=/${OPENERS}/]`, message: UNTRUSTED_ONLY },
  // const { open } = fs.promises / = fs
  { selector: `VariableDeclarator[init.name=/^(fs|fsp|fsPromises)$/] > ObjectPattern > Property[key.name=/${OPENERS}/]`, message: UNTRUSTED_ONLY },
  { selector: `VariableDeclarator[init.property.name='promises'] > ObjectPattern > Property[key.name=/${OPENERS}/]`, message: UNTRUSTED_ONLY },
];

/**
 * One home per fact (#27): a hash-shaped id pattern (a commit's 40 hex, a sha256's or Xet hash's 64)
 * is written only in src-main/contract/ids.ts, and the environment is read only in
 * src-main/hub/hf-env.ts; the rest import the pattern or receive the value.
 */
const ID_HOME = 'Hash-shaped ids (commit, sha256, blob etag, Xet hash) are defined once in src-main/contract/ids.ts: import the pattern.';
const ID_RULES = [
  { selector: 'Literal[regex.pattern=/[{](40|64)[}]/]', message: ID_HOME },
  { selector: 'Literal[value=/[{](40|64)[}]/]', message: ID_HOME },
  { selector: 'TemplateElement[value.raw=/[{](40|64)[}]/]', message: ID_HOME },
];
const ENV_HOME =
  'The environment is read once, in src-main/hub/hf-env.ts (processEnv() at an entry point, readHfEnv/readLocalEnv for the values): receive what you need as a value.';
const ENV_RULES = [
  { selector: "MemberExpression[object.name='process'][property.name='env']", message: ENV_HOME },
  { selector: "MemberExpression[object.name='process'][property.value='env']", message: ENV_HOME },
  { selector: "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='env']", message: ENV_HOME },
];
export const ONE_HOME_RULES = [...ID_RULES, ...ENV_RULES];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'test/lint/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...layerConfigs(),
  { files: ['src-main/**/*.ts'], rules: { 'no-restricted-syntax': ['error', ...ONE_HOME_RULES] } },
  { files: FOREIGN_PATH_FOLDERS.map((f) => `src-main/${f}/**/*.ts`), rules: { 'no-restricted-syntax': [...UNTRUSTED_FILE_RULE, ...ONE_HOME_RULES] } },
  {
    // No hall-sized files (#27.3): a file past 400 lines is two concepts, a function past 120 lines several steps.
    files: ['src-main/**/*.ts', 'src-renderer/**/*.{ts,tsx}'],
    rules: {
      'max-lines': ['error', { max: 400 }],
      'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }],
    },
  },
  // The two homes themselves.
  { files: ['src-main/contract/ids.ts'], rules: { 'no-restricted-syntax': ['error', ...ENV_RULES] } },
  { files: ['src-main/hub/hf-env.ts'], rules: { 'no-restricted-syntax': ['error', ...ID_RULES] } },
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // These two only matter to the React Compiler, which we do not use (TanStack Virtual is fine without it).
      'react-hooks/incompatible-library': 'off',
      'react-hooks/preserve-manual-memoization': 'off',
      'no-restricted-imports': ['error', rendererImports()],
    },
  },
  {
    // Pages and components use the domain hooks of src-renderer/api/, which own query keys and events.
    files: ['src-renderer/{pages,components,app}/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        rendererImports({
          group: ['**/api/context'],
          importNames: ['useApi', 'useApiQuery', 'useEventIntoQuery'],
          message: 'Use (or add) a hook in src-renderer/api/<domain>.ts: it owns the query key and applies events and answers to the cache.',
        }),
      ],
    },
  },
  {
    // The renderer's shell (all but the lazy pages) is the first chunk every window loads before it
    // paints: it reads the contract's zod-bearing modules for their types only, so zod and the schemas
    // load with the pages that need them (test/renderer/bundle-size.test.ts checks the built chunk).
    files: ['src-renderer/{app,api,components,lib}/**/*.{ts,tsx}', 'src-renderer/main.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: 'src-main/contract/(?!(present/[\\w-]+|errors|wire|hub-hosts|ids)$)',
              allowTypeImports: true,
              message: "The renderer's shell takes only types from the contract's schema modules (import type); zod-free values live in contract/present/.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!zod$|\\./)', message: 'The contract is shared with the renderer: zod and its own files only.' }] },
      ],
    },
  },
  {
    // Presentation helpers live one folder down and may read the contract's shapes.
    files: ['src-main/contract/present/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!zod$|\\./|\\.\\./[\\w-]+$)', message: 'The contract is shared with the renderer: zod and its own files only.' }] },
      ],
    },
  },
);
