/**
 * The names the user docs (README.md, docs/*.md, packages/*\/README.md) tell a library user to
 * import are what the packages export: every name an `import { … } from '@weft/…'` of a code
 * block imports, every backticked name of a sentence "`@weft/x` (also) exports …", and every
 * step of writing-an-algorithm.md's step table, a StepBuilder method. (Other backticked words
 * are fields, flags and files: not checked here.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as collectives from '@weft/collectives';
import * as fabric from '@weft/fabric';
import * as runtime from '@weft/runtime';
import * as runtimeCore from '@weft/runtime/core';
import * as sim from '@weft/sim';

const ROOT = new URL('../../../', import.meta.url);

/** The modules the docs may import from, by specifier. */
const MODULES: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  '@weft/collectives': collectives,
  '@weft/fabric': fabric,
  '@weft/runtime': runtime,
  '@weft/runtime/core': runtimeCore,
  '@weft/sim': sim,
};

function docs(): { path: string; text: string }[] {
  const paths = [
    'README.md',
    ...readdirSync(new URL('docs/', ROOT)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
    ...readdirSync(new URL('packages/', ROOT)).flatMap((p) => (readdirSync(new URL(`packages/${p}/`, ROOT)).includes('README.md') ? [`packages/${p}/README.md`] : [])),
  ];
  return paths.map((path) => ({ path, text: readFileSync(new URL(path, ROOT), 'utf8') }));
}

/** `name`, or a member of one of the module's namespace exports (`logical`'s `parts`). */
function exported(module: Readonly<Record<string, unknown>>, name: string): boolean {
  if (name in module) return true;
  return Object.values(module).some((value) => typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Module]' && name in value);
}

/** The value names `import { … } from '@weft/…'` statements import (type-only ones left out). */
function importedNames(text: string): { specifier: string; name: string }[] {
  const found: { specifier: string; name: string }[] = [];
  for (const match of text.matchAll(/^\s*import\s*\{([^}]*)\}\s*from\s*'(@weft\/[^']+)'/gm)) {
    for (const part of match[1]!.split(',')) {
      const name = part.trim().split(/\s+as\s+/)[0]!.trim();
      if (name !== '' && !name.startsWith('type ')) found.push({ specifier: match[2]!, name });
    }
  }
  return found;
}

/** The backticked names of each paragraph that says "`@weft/x` (also) exports", after those words. */
function claimedExports(text: string): { specifier: string; name: string }[] {
  const found: { specifier: string; name: string }[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const claim = /`(@weft\/[^`]+)`\s+(?:also\s+)?exports\b/.exec(paragraph);
    if (!claim) continue;
    for (const token of paragraph.slice(claim.index + claim[0].length).matchAll(/`([^`]+)`/g)) {
      const name = token[1]!.replace(/\(.*$/s, '');
      if (/^[A-Za-z_$][\w$]*$/.test(name)) found.push({ specifier: claim[1]!, name });
    }
  }
  return found;
}

describe('the docs name what the packages export', () => {
  const all = docs();

  it('finds the docs and the names they list (the checks below check something)', () => {
    expect(all.map((d) => d.path)).toEqual(expect.arrayContaining(['docs/writing-an-algorithm.md', 'packages/runtime/README.md']));
    expect(all.flatMap((d) => importedNames(d.text)).length).toBeGreaterThan(5);
    expect(all.flatMap((d) => claimedExports(d.text)).length).toBeGreaterThan(10);
  });

  for (const { path, text } of all) {
    const listed = [...importedNames(text), ...claimedExports(text)];
    if (listed.length === 0) continue;
    it(`${path}: every imported or listed name is exported`, () => {
      const missing = listed.filter(({ specifier, name }) => !(MODULES[specifier] && exported(MODULES[specifier], name))).map(({ specifier, name }) => `${specifier} ${name}`);
      expect(missing).toEqual([]);
    });
  }

  it("writing-an-algorithm.md's step table: every step is a primitive and a StepBuilder method", () => {
    const text = readFileSync(new URL('docs/writing-an-algorithm.md', ROOT), 'utf8');
    const section = text.slice(text.indexOf('## 4. Steps'), text.indexOf('## 5.'));
    const steps = [...section.matchAll(/^\| `(\w+)\(/gm)].map((m) => m[1]!);
    expect(steps).toEqual(Object.keys(collectives.PRIMITIVES));
    const methods = steps.filter((step) => typeof (collectives.StepBuilder.prototype as unknown as Record<string, unknown>)[step] === 'function');
    expect(methods).toEqual(steps);
  });
});
