/**
 * The repository stands alone: a fresh clone with nothing beside it must build, test and
 * read as documented. Three checks, each shown able to fail on a made-up case first:
 *
 * 1. Code, tests, scripts and docs cite only documents inside the repository: no
 *    citation of outside design notes, seed documents, issue or milestone numbers, and
 *    every `docs/….md §Section` citation names a heading that exists.
 * 2. Tests and scripts name no path outside the repository (static scan of string
 *    literals in test/, scripts/, bin/ and .ci/; markdown links stay inside and exist).
 * 3. At run time, the tests that read vendored data (the Wycheproof vectors) open no
 *    file outside the repository, the system folders and the temporary directory
 *    (test/fixtures/standalone/record-outside-reads.mjs records every open).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

/** Folders that are not the project's own text: dependencies, build output, vendored data. */
const SKIP_DIRS = new Set([
  'node_modules',
  '.git',
  'out',
  'dist',
  'release',
  '.tsbuild',
  '.bench',
  'test-results',
  'data',
  'coverage',
]);
const SKIP_PATHS = new Set(['test/fixtures/wycheproof', 'package-lock.json']);
const TEXT = new Set([
  '.ts',
  '.tsx',
  '.js',
  '.cjs',
  '.mjs',
  '.json',
  '.md',
  '.yml',
  '.yaml',
  '.css',
  '.html',
  '',
]);

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(root, path).split(sep).join('/');
    if (SKIP_DIRS.has(entry.name) || SKIP_PATHS.has(rel)) continue;
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile() && TEXT.has(extname(entry.name)) && statSync(path).size < 1_000_000)
      out.push(rel);
  }
  return out;
}

const files = walk(root);
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');

// ─── 1. Citations ────────────────────────────────────────────────────────────────
// Built from parts so that this file does not cite what it forbids.
const OUTSIDE_CITATIONS: { what: string; pattern: RegExp }[] = [
  { what: 'an outside design note', pattern: new RegExp(`\\b${'DESIGN'}\\.md\\b`) },
  { what: 'an outside style guide', pattern: new RegExp(`\\b${'STYLE'}\\.md\\b`) },
  { what: 'a seed document', pattern: new RegExp(`\\b${'seed'}s?[ _-]?0\\d\\d\\b`, 'i') },
  { what: 'an issue number', pattern: new RegExp(`\\b${'issue'}s?\\s+#?\\d+`, 'i') },
  { what: 'a milestone', pattern: new RegExp(`\\b${'milestone'}\\s+#?\\d+`, 'i') },
  {
    what: 'a folder beside the checkout',
    pattern: new RegExp(`\\.\\./${'shared'}/(vectors|seeds|[A-Z]+\\.md)`),
  },
];

function outsideCitations(name: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    for (const { what, pattern } of OUTSIDE_CITATIONS)
      if (pattern.test(line)) found.push(`${name}:${index + 1}: cites ${what}: ${line.trim()}`);
  });
  return found;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function headingsOf(rel: string): string[] {
  return read(rel)
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => line.replace(/^#+ /, '').replace(/[`*]/g, '').trim());
}

const CITATION = /((?:docs\/)?[A-Z]+\.md)((?:\s*(?:\n\s*(?:\*|\/\/)?\s*)?§[^§\n]*)+)/g;

/** `docs/X.md §Heading` citations whose heading does not exist in X.md. */
function brokenSectionCitations(name: string, text: string, headings: (doc: string) => string[] | undefined) {
  const broken: string[] = [];
  for (const match of text.matchAll(CITATION)) {
    const doc =
      match[1]!.startsWith('docs/') || match[1] === 'CONTRIBUTING.md' || match[1] === 'README.md'
        ? match[1]!
        : `docs/${match[1]}`;
    const known = headings(doc);
    for (const cited of match[2]!
      .split('§')
      .slice(1)
      .map((part) => part.trim())) {
      const short = cited.split(/[),;:]|\*\/|$/)[0]!.trim();
      const ok =
        known !== undefined &&
        known.some((heading) => cited.startsWith(heading) || (short.length > 0 && heading.startsWith(short)));
      if (!ok) broken.push(`${name}: ${doc} §${short || cited} is not a heading of ${doc}`);
    }
  }
  return broken;
}

const docHeadings = (doc: string): string[] | undefined =>
  existsSync(join(root, doc)) ? headingsOf(doc) : undefined;

/** Repository paths in backticks in a doc (`server/app.ts`) that do not exist; placeholders are skipped. */
function missingPaths(name: string, text: string, exists: (path: string) => boolean): string[] {
  const missing: string[] = [];
  for (const match of text.matchAll(
    /`((?:electron|server|shared|renderer|test|scripts|bin|docs|\.ci)\/[^`\s]*)`/g,
  )) {
    const path = match[1]!;
    if (/[<>*…{}|]|\.\.\.|\b[A-Z]{3,}\b/.test(path)) continue; // a pattern or a placeholder (NAME)
    if (path.split('/').some((segment) => SKIP_DIRS.has(segment))) continue; // build output (renderer/dist)
    const file = path.replace(/[:#].*$/, '').replace(/\/$/, '');
    if (!exists(file)) missing.push(`${name}: \`${path}\` does not exist`);
  }
  return missing;
}

describe('the repository cites only its own documents', () => {
  it('the scanner finds each kind of outside citation (it can fail)', () => {
    const sample = [
      `see ${'DESIGN'}.md §3`,
      `as ${'STYLE'}.md says`,
      `(${'seed'} 002)`,
      `fixed in ${'issue'} 12`,
      `${'milestone'} 2`,
      `read ../${'shared'}/vectors/x`,
    ].join('\n');
    expect(outsideCitations('sample', sample)).toHaveLength(6);
    expect(outsideCitations('sample', 'a seedling, an issue, a random seed, docs/ARCHITECTURE.md')).toEqual(
      [],
    );
  });

  it('no file cites a document outside the repository', () => {
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((rel) => outsideCitations(rel, read(rel)));
    expect(found, 'cite docs/… inside the repository, or a standard (RFC …) instead').toEqual([]);
  });

  it('the section checker refuses a citation of a heading that does not exist (it can fail)', () => {
    const fake = (doc: string) => (doc === 'docs/X.md' ? ['Real heading', 'Another: with more'] : undefined);
    expect(brokenSectionCitations('s', '(docs/X.md §Real heading)', fake)).toEqual([]);
    expect(brokenSectionCitations('s', '(docs/X.md §Another)', fake)).toEqual([]);
    expect(brokenSectionCitations('s', 'docs/X.md\n * §Real heading, §Another)', fake)).toEqual([]);
    expect(brokenSectionCitations('s', '(docs/X.md §Imaginary)', fake)).toHaveLength(1);
    expect(brokenSectionCitations('s', '(docs/Y.md §Real heading)', fake)).toHaveLength(1);
  });

  it('every `docs/….md §Section` citation names a heading of that document', () => {
    const broken = files
      .filter((rel) => !rel.startsWith('test/standalone'))
      .flatMap((rel) => brokenSectionCitations(rel, read(rel), docHeadings));
    expect(broken).toEqual([]);
  });

  it('the path checker finds a path that does not exist and skips placeholders (it can fail)', () => {
    const exists = (path: string) => path === 'server/app.ts' || path === 'docs';
    const text =
      '`server/app.ts`, `docs/`, `server/gone.ts:12`, `test/bench/NAME.bench.ts`, `renderer/features/<x>/`';
    expect(missingPaths('s', text, exists)).toEqual(['s: `server/gone.ts:12` does not exist']);
  });

  it('every repository path the docs name in backticks exists', () => {
    const docs = files.filter((rel) => rel.endsWith('.md') && !rel.startsWith('test/'));
    const missing = docs.flatMap((rel) =>
      missingPaths(rel, read(rel), (path) => existsSync(join(root, path))),
    );
    expect(missing, 'a file moved: update the doc').toEqual([]);
  });

  it('every relative link in the docs points at a file of the repository, and its anchor exists', () => {
    const broken: string[] = [];
    for (const rel of files.filter((name) => name.endsWith('.md'))) {
      for (const match of read(rel).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const absolute = file === '' ? join(root, rel) : resolve(dirname(join(root, rel)), file);
        const inside = relative(root, absolute);
        if (inside.startsWith('..') || !existsSync(absolute)) {
          broken.push(`${rel}: ${target} is not a file of the repository`);
          continue;
        }
        if (anchor && absolute.endsWith('.md') && !headingsOf(inside).map(slug).includes(anchor))
          broken.push(`${rel}: ${target} has no heading #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

// ─── 2. Paths outside the repository, statically ─────────────────────────────────
/** Where material beside a checkout lives: the folder holding the repository, and the user's home. */
const OUTSIDE_PREFIXES = [dirname(root), homedir()].filter((dir) => dir !== '/').map((dir) => `${dir}/`);

/** Path-like string literals in a source file that lead outside the repository. */
function outsidePaths(rel: string, text: string): string[] {
  const found: string[] = [];
  const base = dirname(join(root, rel));
  const escapes = (path: string) => relative(root, path).startsWith('..');
  text.split('\n').forEach((line, index) => {
    // Import specifiers are checked by the compiler: test/tsconfig.json's rootDir is the repository.
    if (/^\s*(import|export)\b.*\bfrom\s/.test(line) || /^\s*\}\s*from\s/.test(line)) return;
    for (const match of line.matchAll(/(?<!from )(['"`])((?:\.\.?\/|\/)[^'"`\s$]*|\.\.)\1/g)) {
      const literal = match[2]!;
      let outside: boolean;
      if (literal.startsWith('/')) {
        outside =
          OUTSIDE_PREFIXES.some((prefix) => literal.startsWith(prefix)) && !literal.startsWith(`${root}/`);
      } else {
        // Relative to this file, and, on a line that names the repository root, to the root.
        const namesRoot = /\b(root|ROOT|REPO\w*|repo\w*|cwd\(\))/.test(line) && !/^(\.\.\/?)+$/.test(literal);
        outside = escapes(resolve(base, literal)) || (namesRoot && escapes(resolve(root, literal)));
      }
      if (outside) found.push(`${rel}:${index + 1}: ${literal}`);
    }
  });
  return found;
}

describe('tests and scripts name no path outside the repository', () => {
  it('the scanner finds outside paths and leaves URL paths and system folders alone (it can fail)', () => {
    const parent = dirname(root);
    const sample = [
      `const VECTORS = '${parent}/shared/vectors';`,
      `const dir = resolve(REPO_ROOT, '../${'shared'}/vectors/wycheproof');`,
      `const up = '../../../../../../../../x';`,
      `await fetch('/api/v1/status'); spawn('/usr/bin/chromium'); readFileSync('/etc/machine-id');`,
      `const root = resolve(import.meta.dirname, '..');`,
      `expect((await publish(body, '../etc')).statusCode).toBe(400);`,
      'const fixture = "export { startFactory } from \'../../server/factory.ts\';";',
    ].join('\n');
    expect(outsidePaths('test/sample.test.ts', sample)).toEqual([
      `test/sample.test.ts:1: ${parent}/shared/vectors`,
      `test/sample.test.ts:2: ../${'shared'}/vectors/wycheproof`,
      'test/sample.test.ts:3: ../../../../../../../../x',
    ]);
  });

  it('no test, script, entry point or CI file names one', () => {
    const sources = files.filter(
      (rel) => /^(test|scripts|bin|\.ci)\//.test(rel) && !rel.startsWith('test/standalone'),
    );
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.flatMap((rel) => outsidePaths(rel, read(rel)))).toEqual([]);
  });
});

// ─── 3. Files opened outside the repository, at run time ─────────────────────────
const HOOK = join(root, 'test/fixtures/standalone/record-outside-reads.mjs');

/** Runs `node args…` with every file open recorded; returns the outside paths opened. */
function outsideOpens(args: string[]): { paths: string[]; status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'outside-reads-'));
  try {
    const log = join(dir, 'opens.log');
    const result = spawnSync(process.execPath, args, {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${pathToFileURL(HOOK).href}`.trim(),
        FACTORY_OUTSIDE_READS_LOG: log,
        FACTORY_REPO_ROOT: root,
      },
    });
    const paths = existsSync(log) ? [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))] : [];
    return { paths, status: result.status, output: `${result.stdout}\n${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('tests open no file outside the repository', () => {
  it('the recorder sees a read outside the repository, in the process and in a child (it can fail)', () => {
    // Beside the checkout, and at the top of the file system (outside every allowed folder).
    const outside = join(dirname(root), 'not-in-this-repository.json');
    const topLevel = `/factory-console-outside-${process.pid}/file.json`;
    const child = `import('node:fs/promises').then((f) => f.readFile(${JSON.stringify(`${outside}.child`)})).catch(() => {});`;
    const script = [
      `const fs = require('node:fs');`,
      `try { fs.readFileSync(${JSON.stringify(outside)}); } catch {}`,
      `try { fs.readFileSync(${JSON.stringify(join(root, 'package.json'))}); } catch {}`,
      `try { fs.readFileSync(${JSON.stringify(join(tmpdir(), 'a-temporary-file'))}); } catch {}`,
      `try { fs.readFileSync(${JSON.stringify(topLevel)}); } catch {}`,
      `require('node:child_process').spawnSync(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: 'inherit' });`,
    ].join('\n');
    const run = outsideOpens(['-e', script]);
    expect(run.status, run.output).toBe(0);
    expect(run.paths.sort()).toEqual([outside, `${outside}.child`, topLevel].sort());
  });

  it('the vendored-vector tests read their data from inside the repository', () => {
    const run = outsideOpens([
      join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--project',
      'node',
      '--reporter',
      'dot',
      'test/shared/node/crypto/wycheproof.test.ts',
      'test/server/auth/jws-verifier.test.ts',
    ]);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/2 passed/);
    expect(run.paths).toEqual([]);
  });
});

// ─── 4. npm install explains its warnings ────────────────────────────────────────
describe('npm install on the system Node explains its EBADENGINE lines', () => {
  /** Packages npm warns about when it runs on Node 20: their engines.node admits no 20.x. */
  function needingNode22(lock: { packages: Record<string, { name?: string; engines?: { node?: string } }> }) {
    const names = new Set<string>();
    for (const [key, entry] of Object.entries(lock.packages)) {
      const range = entry.engines?.node;
      if (range && !semver.intersects(range, '20.x', { includePrerelease: true }))
        names.add(key === '' ? entry.name! : key.replace(/^.*node_modules\//, ''));
    }
    return [...names].sort();
  }

  /** Package names in backticks in the README paragraph that mentions EBADENGINE. */
  function namedInReadme(known: Set<string>): string[] {
    const paragraph = read('README.md')
      .split(/\n\s*\n/)
      .find((text) => text.includes('EBADENGINE'));
    expect(paragraph, 'README.md explains the EBADENGINE lines').toBeDefined();
    return [...paragraph!.matchAll(/`([^`]+)`/g)]
      .map((match) => match[1]!)
      .filter((name) => known.has(name))
      .sort();
  }

  it('the lockfile check sees a package that needs Node 22 (it can fail)', () => {
    const lock = {
      packages: {
        '': { name: 'demo', engines: { node: '>=22.18' } },
        'node_modules/a': { engines: { node: '^20.19.0 || >=22.12.0' } },
        'node_modules/x/node_modules/b': { engines: { node: '>=22' } },
        'node_modules/c': {},
      },
    };
    expect(needingNode22(lock)).toEqual(['b', 'demo']);
  });

  it('the README names exactly the packages that warn', () => {
    const lock = JSON.parse(read('package-lock.json')) as Parameters<typeof needingNode22>[0];
    const known = new Set(Object.keys(lock.packages).map((key) => key.replace(/^.*node_modules\//, '')));
    known.add(JSON.parse(read('package.json')).name as string);
    const warning = needingNode22(lock);
    expect(warning.length).toBeGreaterThan(0);
    expect(namedInReadme(known)).toEqual(warning);
  });
});

// ─── 5. The README's Debian packages are the ones CI installs ────────────────────
describe('the Debian packages the docs list are the ones .ci/run installs', () => {
  const packagesOf = (text: string, pattern: RegExp): string[] =>
    [...text.matchAll(pattern)].map((m) => m[1]!);
  const ciPackages = (script: string) => packagesOf(script, /need\+=\(([\w.+-]+)\)/g);
  const listed = (doc: string) =>
    (/apt-get install -y --no-install-recommends ([\w.+ -]+?)\s*(?:#|$)/m.exec(doc)?.[1] ?? '')
      .trim()
      .split(/\s+/);

  it('reads both lists (it can fail)', () => {
    const script = 'command -v chromium || need+=(chromium)\ncommand -v gpg || need+=(gnupg)\n';
    expect(ciPackages(script)).toEqual(['chromium', 'gnupg']);
    expect(listed('sudo apt-get install -y --no-install-recommends chromium\n')).not.toEqual(
      ciPackages(script),
    );
  });

  it('README.md and CONTRIBUTING.md install exactly what .ci/run installs', () => {
    const ci = ciPackages(read('.ci/run'));
    expect(ci.length).toBeGreaterThan(0);
    expect(listed(read('README.md'))).toEqual(ci);
    expect(listed(read('CONTRIBUTING.md'))).toEqual(ci);
  });
});
