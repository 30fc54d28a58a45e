// Builds the CLI and server into one ES module, dist/server/main.js, which bin/twelve.js runs instead of the
// TypeScript sources while it is fresh (no source newer than the build): no TypeScript loader thread, no per-file
// transform, no source-map cache. That is about 80 MB of resident memory and a second of start-up CPU less
// (`npm run bench -- footprint`). Packages stay external (node_modules loads them as usual); only src/ is bundled.
// A source that reads a file next to itself (`import.meta.url`: migrations, pages, workers) gets its own URL back,
// written relative to the bundle, so the folder can still move after the build.
import { readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** dist/server, or the folder given as the first argument (a test builds into its own). */
const OUT = process.argv[2] ? resolve(process.argv[2]) : join(ROOT, 'dist/server');

/** `import.meta.url` in a source file → that file's URL, computed from the bundle's own at run time. */
const sourceUrls: Plugin = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      if (contents.includes('import.meta.url')) {
        const rel = relative(OUT, args.path).split('\\').join('/');
        contents = contents.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(rel)}, import.meta.url).href`,
        );
      }
      return { contents, loader: 'ts' };
    });
  },
};

const started = Date.now();
const result = await build({
  entryPoints: [join(ROOT, 'src/cli/main.ts')],
  outdir: OUT,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [sourceUrls],
});
// What bin/twelve.js checks before trusting the bundle: every input's path (a deleted or newer one means stale).
const inputs = Object.keys(result.metafile.inputs).map((p) => relative(ROOT, join(process.cwd(), p)));
await writeFile(join(OUT, 'inputs.json'), `${JSON.stringify({ builtAt: started, inputs })}\n`);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `server: ${relative(process.cwd(), join(OUT, 'main.js'))} ${(bytes / 1024 / 1024).toFixed(1)} MB from ${inputs.length} sources in ${Date.now() - started} ms`,
);
