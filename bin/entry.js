// Which code the `twelve` CLI runs: the build of the sources (dist/server/main.js, `npm run build`) while that build
// is fresh (every source it was made from is still there and none changed since), the TypeScript sources through
// tsx otherwise (a source edited, no build yet, or TWELVE_FROM_SOURCE=1). bin/twelve.js and the footprint bench load
// the CLI through here, so both run what a user's `npm start` runs.
import { readFileSync, statSync } from 'node:fs';

const BUILD = new URL('../dist/server/', import.meta.url);
const ROOT = new URL('../', import.meta.url);

/** `{ builtAt }` when the build is fresh; otherwise `{ stale }`, why the sources run. */
export function build() {
  if (process.env.TWELVE_FROM_SOURCE === '1') return { stale: 'TWELVE_FROM_SOURCE=1' };
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(new URL('inputs.json', BUILD), 'utf8'));
    if (statSync(new URL('main.js', BUILD)).mtimeMs < builtAt) return { stale: 'the build is incomplete' };
    const changed = inputs.find((path) => statSync(new URL(path, ROOT)).mtimeMs > builtAt);
    return changed ? { stale: `${changed} changed since the build` } : { builtAt };
  } catch (err) {
    return { stale: err?.code === 'ENOENT' ? 'no build (npm run build)' : String(err) };
  }
}

/** `twelve 0.1.0 (build of …)` or `twelve 0.1.0 (sources: why)`. */
export function versionLine(b = build()) {
  const { version } = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8'));
  return `twelve ${version} (${b.builtAt ? `build of ${new Date(b.builtAt).toISOString()}` : `sources: ${b.stale}`})`;
}

/** The CLI's module (src/cli/main.ts or its build): `main(argv)` and `pgliteHeapBytes()`. */
export async function loadCli(b = build()) {
  if (b.builtAt) return import(new URL('main.js', BUILD).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli/main.ts');
}
