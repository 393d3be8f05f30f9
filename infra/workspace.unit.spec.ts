import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

// The monorepo's ground rules, checked where a slip would otherwise go unnoticed: a spec file not named by kind
// is in no vitest project and never runs; a package missing from the references is never type-checked.
const root = resolve(import.meta.dirname, '..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the workspace', () => {
  it('pins pnpm 12.4.2 and Node >= 20.19', () => {
    const pkg = z
      .object({ packageManager: z.string(), engines: z.object({ node: z.string() }) })
      .parse(readJson('package.json'));
    expect(pkg.packageManager).toBe('pnpm@12.4.2');
    expect(pkg.engines.node).toBe('>=20.19');
  });

  it('compiles with the strict flags of the design, NodeNext modules', () => {
    const base = z
      .object({ compilerOptions: z.record(z.string(), z.unknown()) })
      .parse(readJson('tsconfig.base.json'));
    expect(base.compilerOptions).toMatchObject({
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
    });
  });

  it('type-checks every workspace package: each one with a tsconfig is a project reference', () => {
    const workspace = z
      .object({ packages: z.array(z.string()), catalog: z.record(z.string(), z.unknown()) })
      .parse(parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')));
    const dirs = workspace.packages.flatMap((pattern) =>
      pattern.endsWith('/*')
        ? readdirSync(join(root, pattern.slice(0, -2)), { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => `${pattern.slice(0, -2)}/${entry.name}`)
        : [pattern],
    );
    const references = z
      .object({ references: z.array(z.object({ path: z.string() })) })
      .parse(readJson('tsconfig.json'))
      .references.map((reference) => reference.path);
    const withTsconfig = dirs.filter((dir) => existsSync(join(root, dir, 'tsconfig.json')));
    expect(withTsconfig.length).toBeGreaterThan(10);
    for (const dir of withTsconfig) expect(references).toContain(dir);
  });

  it('names every spec file by kind, so that each runs in exactly one vitest project', () => {
    const specs = ['packages', 'services', 'infra', 'tests', 'bench']
      .flatMap((dir) => filesUnder(join(root, dir)))
      .filter((path) => /\.spec\.tsx?$/.test(path))
      .map((path) => relative(root, path));
    expect(specs.length).toBeGreaterThan(50);
    expect(specs.filter((path) => !/\.(unit|int|e2e)\.spec\.ts$/.test(path))).toEqual([]);
  });

  it('opens the README with two commands, set up + start and the tests; .ci/run runs the latter', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const opening = /^# onestop\n\n```bash\n([\s\S]*?)\n```/.exec(readme)?.[1];
    const commands = (opening ?? '').split('\n').map((line) => line.replace(/\s+#.*$/, ''));
    expect(commands).toEqual(['bash scripts/setup.sh && pnpm start', 'bash scripts/setup.sh && pnpm test']);
    const ci = readFileSync(join(root, '.ci/run'), 'utf8').split('\n');
    expect(ci).toContain(commands[1]);
  });
});
