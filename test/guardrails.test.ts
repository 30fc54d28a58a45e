// The guardrail manifest is complete: every promise has at least one test citing its id, and every cited id exists.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUARDRAILS } from '../src/guardrails.ts';

const ROOT = join(import.meta.dirname, '..');

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const citations = new Map<string, string[]>();
for (const file of [...testFiles(join(ROOT, 'src')), ...testFiles(join(ROOT, 'test'))]) {
  if (file.endsWith('guardrails.test.ts')) continue;
  for (const m of readFileSync(file, 'utf8').matchAll(/\[([a-z]+:[a-z0-9-]+)\]/g)) {
    const id = m[1]!;
    citations.set(id, [...(citations.get(id) ?? []), relative(ROOT, file)]);
  }
}

describe('guardrail manifest', () => {
  it('has unique ids', () => {
    const ids = GUARDRAILS.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(GUARDRAILS.map((g) => [g.id, g.promise]))('%s is proven by at least one test', (id) => {
    expect(citations.get(id), `no test cites [${id}]`).toBeDefined();
  });

  it('cites only ids that exist in the manifest', () => {
    const known = new Set(GUARDRAILS.map((g) => g.id));
    const unknown = [...citations.keys()].filter(
      (id) => !known.has(id) && /^(policy|runtime|audit|readiness|store|support|channel|hiring):/.test(id),
    );
    expect(unknown).toEqual([]);
  });
});
