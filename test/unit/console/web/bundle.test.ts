/**
 * The web app as the browser gets it: console/web/tsconfig.json compiled afresh (into a temporary folder),
 * and every module it emits for dist/console/web/ imports only its siblings there. The API's types come from
 * console/api/contract.ts, which the server shares; a type-only import of it must leave no import behind,
 * since the console serves dist/console/web/ alone and the browser can load no server module.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../../..');
let out: string;

beforeAll(() => {
  out = mkdtempSync(path.join(tmpdir(), 'console-web-'));
  const build = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'console/web/tsconfig.json', '--outDir', out],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  expect(build.status, `the web build failed:\n${build.stdout}${build.stderr}`).toBe(0);
}, 130_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The specifiers of a module's static imports and re-exports, and of its dynamic imports. */
function importsOf(code: string): string[] {
  const specifiers = [...code.matchAll(/(?:^|[;\s])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)];
  const bare = [...code.matchAll(/(?:^|[;\s])import\s*['"]([^'"]+)['"]/g)];
  const dynamic = [...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return [...specifiers, ...bare, ...dynamic].map((match) => match[1]!);
}

describe('console/web as built', () => {
  it('imports nothing but its own modules, the contract included', () => {
    const web = path.join(out, 'web');
    const modules = readdirSync(web).filter((name) => name.endsWith('.js'));
    expect(modules).toContain('main.js');
    expect(modules).toContain('api.js');
    const outside: string[] = [];
    for (const name of modules) {
      for (const specifier of importsOf(readFileSync(path.join(web, name), 'utf8'))) {
        const sibling = /^\.\/[A-Za-z]+\.js$/.test(specifier) && existsSync(path.join(web, specifier));
        if (!sibling) outside.push(`${name}: ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
    // The contract is used (the pages' types come from it) and erases to an empty module.
    expect(readFileSync(path.join(ROOT, 'console/web/api.ts'), 'utf8')).toMatch(
      /import type \{[^}]*\} from '\.\.\/api\/contract\.js'/,
    );
    expect(readFileSync(path.join(out, 'api/contract.js'), 'utf8')).toMatch(/^export \{\};$/m);
  });

  it('finds an import that leaves the folder (the check itself)', () => {
    expect(
      importsOf("import { a } from '../api/contract.js';\nexport * from \"./x.js\";\nimport('../y.js')"),
    ).toEqual(['../api/contract.js', './x.js', '../y.js']);
  });
});
