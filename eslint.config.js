// @ts-check
// Lint, and the one-way imports of docs/ARCHITECTURE.md §Areas and layers: one `no-restricted-imports` block per
// folder, each message saying why and what to do instead. tsconfig project references
// enforce the same table at compile time; this catches what types cannot (a package
// that has types, such as `electron`, imported where it cannot run).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';

const nodeBuiltins = [...new Set(builtinModules.map((name) => name.replace(/^node:/, '')))];
const noNode = (why) => [
  { regex: '^node:', message: why },
  { regex: `^(${nodeBuiltins.join('|').replaceAll('/', '\\/')})(\\/.*)?$`, message: why },
];
const noElectron = (why) => [{ regex: '^electron(-store)?(\\/.*)?$', message: why }];
const noRelative = (folders, why) => [{ regex: `(^|\\/)(${folders.join('|')})(\\/|$)`, message: why }];

/** @param {string[]} files @param {Array<{regex: string, message: string}>} patterns */
const layer = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

const coreBase = [
  ...noElectron(
    'electron/core runs under plain Node (tests, CLI): put Electron calls in electron/main and pass them in.',
  ),
  ...noRelative(['renderer', 'main', 'preload'], 'electron/core must not import the shell or the UI.'),
  {
    regex: '(^|\\/)server\\/(?!factory\\.ts$)',
    message: 'The console reaches the Factory API only through server/factory.ts (startFactory()).',
  },
];
/** Which domains a domain may import (the rest are refused): a DAG, so no folder cycle can form. */
const domainsBelow = {
  machine: [],
  vault: ['machine'],
  resources: ['machine', 'vault'],
  audit: [],
  firewall: [],
  session: [],
  settings: [],
  status: [],
  trust: [],
};
const coreUp = (folders, why) => [{ regex: `(^|\\/)(${folders.join('|')})\\/`, message: why }];

function coreLayers() {
  const blocks = [
    layer(['electron/core/**'], coreBase),
    layer(
      ['electron/core/platform/**'],
      [
        ...coreBase,
        ...coreUp(
          ['factory-api', 'domains', 'app', 'ipc', 'shells'],
          'platform/ is the bottom of electron/core: it imports shared/ only.',
        ),
      ],
    ),
    layer(
      ['electron/core/factory-api/**'],
      [
        ...coreBase,
        ...coreUp(
          ['domains', 'app', 'ipc', 'shells'],
          'factory-api/ is the one way to the server: it may import platform/ and shared/ only.',
        ),
      ],
    ),
    layer(
      ['electron/core/ipc/**'],
      [
        ...coreBase,
        ...coreUp(
          ['factory-api', 'domains', 'app', 'shells'],
          'ipc/ knows the contract, not the services: it may import platform/ and shared/ only.',
        ),
      ],
    ),
  ];
  for (const [domain, below] of Object.entries(domainsBelow)) {
    const others = Object.keys(domainsBelow).filter((name) => name !== domain && !below.includes(name));
    blocks.push(
      layer(
        [`electron/core/domains/${domain}/**`],
        [
          ...coreBase,
          ...coreUp(['app', 'shells'], 'A domain does not import the composition (app/) or a shell.'),
          {
            regex: '(^|\\/)ipc\\/(?!handlers\\.ts$)',
            message: 'A domain implements its slice of ipc/handlers.ts; the router is not its business.',
          },
          {
            regex: `^\\.\\.\\/(${others.join('|')})\\/`,
            message: `domains/${domain} may import ${below.length ? below.map((name) => `domains/${name}`).join(', ') : 'no other domain'}: a cross-domain call goes through the composition (app/) or a session event.`,
          },
        ],
      ),
    );
  }
  blocks.push(
    layer(
      ['electron/core/app/**'],
      [...coreBase, ...coreUp(['shells'], 'app/ composes the services; the shells compose app/, not back.')],
    ),
  );
  return blocks;
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      'release/**',
      '.tsbuild/**',
      '.bench/**',
      'test-results/**',
      'data/**',
      'renderer/dist/**',
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.es2023 } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration',
          message: 'No TypeScript enum: use an `as const` object and a derived union.',
        },
      ],
    },
  },
  {
    files: [
      '**/*.js',
      'scripts/**',
      'bin/**',
      'test/**',
      '*.config.ts',
      'server/**',
      'shared/node/**',
      'electron/**',
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },

  // shared/common: runtime-neutral contracts.
  layer(
    ['shared/common/**'],
    [
      ...noNode('shared/common runs everywhere (renderer included): move Node code to shared/node.'),
      ...noElectron('shared/common must not depend on Electron: the contract is plain data.'),
      ...noRelative(
        ['node', 'server', 'electron', 'renderer'],
        'shared/common imports only itself: it is the bottom layer.',
      ),
      { regex: '^(react|react-dom|zustand)(\\/.*)?$', message: 'No UI packages in shared/common.' },
    ],
  ),
  // shared/node: the crypto core and hash chain, shared by server and console.
  layer(
    ['shared/node/**'],
    [
      ...noElectron('shared/node runs under plain Node (server, CLI, tests): no Electron.'),
      ...noRelative(['server', 'electron', 'renderer'], 'shared/node may import shared/common only.'),
    ],
  ),
  // server: the Factory API.
  layer(
    ['server/**'],
    [
      ...noElectron('The Factory API is a plain Node server: no Electron.'),
      ...noRelative(['electron', 'renderer'], 'server/ may import shared/ only.'),
    ],
  ),
  // electron/core: the console's logic, testable under plain Node. One block per
  // folder (docs/ARCHITECTURE.md §The console core): platform ← factory-api ← domains
  // ← app ← shells, ipc beside them; a domain imports only the domains below it.
  ...coreLayers(),
  // electron/main: the Electron shell, composition only.
  layer(
    ['electron/main/**'],
    [
      ...noRelative(
        ['renderer', 'server', 'preload'],
        'electron/main composes electron/core and shared/ only.',
      ),
    ],
  ),
  // electron/preload: one small sandboxed file.
  layer(
    ['electron/preload/**'],
    [
      ...noNode('The preload is sandboxed: no Node modules.'),
      { regex: '^(?!electron$)[^.]', message: 'The preload imports only `electron` and shared/common.' },
      ...noRelative(
        ['core', 'main', 'server', 'renderer', 'node'],
        'The preload imports only shared/common.',
      ),
    ],
  ),
  // renderer: React UI, no Node, no crypto.
  layer(
    ['renderer/**'],
    [
      ...noNode('The renderer runs in a sandboxed page: ask the bridge (window.bridge) instead.'),
      ...noElectron('The renderer talks to the console only through window.bridge.'),
      ...noRelative(['electron', 'server', 'node'], 'The renderer may import shared/common only.'),
    ],
  ),
  // electron/core reads its environment in one place (platform/environment.ts).
  {
    files: ['electron/core/**'],
    ignores: ['electron/core/platform/environment.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Only platform/environment.ts reads process.env: take an Environment from the caller (tests pass an object).',
        },
      ],
    },
  },
  // No import cycles in the console core or the shared Node code (worker protocols live in files of their own).
  {
    files: ['electron/core/**', 'shared/node/**'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/extensions': ['.ts'], 'import-x/resolver': { node: { extensions: ['.ts'] } } },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // tests run under plain Node too.
  layer(
    ['test/**', 'scripts/**'],
    [...noElectron('The Electron binary is absent here: tests cannot import it.')],
  ),
  {
    files: ['test/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['describe', 'it', 'test'].flatMap((object) =>
          ['only', 'skip', 'todo', 'skipIf'].map((property) => ({
            object,
            property,
            message: 'Every test runs: no focused, skipped or todo tests.',
          })),
        ),
      ],
    },
  },
);
