// Who may import whom around the runtime (ARCHITECTURE.md, Map): readiness depends on the runtime, never the other
// way (the mode both use is the leaf src/runtime/mode.ts); the runtime knows no agent kind's tables or brain inputs
// (a kind supplies them: RuntimeOptions.brainInputsFor); runtime.ts stays a façade over src/runtime/run/.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../src');

function sources(dir: string, tests = false): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && (tests || !f.endsWith('.test.ts')))
    .map((f) => join(dir, f));
}

/** The files under src/ a module imports (relative specifiers, static and dynamic, types included). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(SRC, resolve(dirname(file), s)));
}

describe('layering', () => {
  it('keeps the runtime free of readiness imports, so readiness and the runtime form no cycle', () => {
    const runtimeToReadiness = sources(join(SRC, 'runtime')).flatMap((f) =>
      importsOf(f)
        .filter((i) => i.startsWith('readiness/'))
        .map((i) => `${relative(SRC, f)} → ${i}`),
    );
    expect(runtimeToReadiness).toEqual([]);
    // The other direction exists (the assessments read agents and their tools): it is the allowed one.
    const readinessToRuntime = sources(join(SRC, 'readiness')).flatMap((f) =>
      importsOf(f).filter((i) => i.startsWith('runtime/')),
    );
    expect(readinessToRuntime).toContain('runtime/mode.ts');
  });

  it("names no agent kind's tables or brain inputs under src/runtime/", () => {
    const named = sources(join(SRC, 'runtime'), true).filter((f) =>
      /kb_state|kbVersion|lastReply/.test(readFileSync(f, 'utf8')),
    );
    expect(named.map((f) => relative(SRC, f))).toEqual([]);
  });

  it('keeps runtime.ts a façade under 300 lines', () => {
    const lines = readFileSync(join(SRC, 'runtime/runtime.ts'), 'utf8').split('\n').length;
    expect(lines).toBeLessThan(300);
  });
});
