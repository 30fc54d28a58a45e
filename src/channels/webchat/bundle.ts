// The widget bundle: web-widget/src compiled by esbuild (present with tsx, a runtime dependency) into one minified
// script, built once per process on first request and kept in memory with its gzip form and an ETag. No build
// step is needed to serve it; `scripts/build-widget.ts` writes the same bytes to dist/ for hosting on a CDN.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const WIDGET_ENTRY = fileURLToPath(new URL('../../../web-widget/src/widget.ts', import.meta.url));

export interface WidgetBundle {
  js: Buffer;
  gzip: Buffer;
  etag: string;
}

export async function buildWidget(entry = WIDGET_ENTRY): Promise<WidgetBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    write: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const js = Buffer.from(result.outputFiles[0]!.contents);
  return {
    js,
    gzip: gzipSync(js, { level: 9 }),
    etag: `"w-${createHash('sha256').update(js).digest('base64url').slice(0, 22)}"`,
  };
}

let cached: Promise<WidgetBundle> | null = null;

/** The process's bundle; a failed build is not cached, so the next request tries again. */
export function widgetBundle(): Promise<WidgetBundle> {
  cached ??= buildWidget().catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}
