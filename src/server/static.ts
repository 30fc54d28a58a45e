// The dashboard: the single-page app built into web/dist (`npm run build`), served at `/`. Files under /assets/
// carry a content hash in their name, so they are cached for a year; index.html is never cached, so a new build
// is picked up on the next load. Any other GET that accepts HTML and is not under /api gets index.html, and the
// app routes it in the browser (History API). /api and unknown files keep the JSON 404 of the error catalog.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface DashboardOptions {
  /** The built dashboard; defaults to web/dist of this checkout. */
  root?: string;
}

// The app loads only its own files; nothing inline, no third-party origins, and no framing (clickjacking).
const HTML_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

const NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Twelve: dashboard not built</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5">
<h1>The dashboard is not built</h1>
<p>The API is running, but <code>web/dist</code> is missing. Build the dashboard, then reload this page:</p>
<pre style="background:#f0f2f5;padding:.75rem 1rem;border-radius:6px">npm run build</pre>
<p>(<code>npm ci</code> builds it too.)</p>
</body></html>`;

function acceptsHtml(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

export async function registerDashboard(
  server: FastifyInstance,
  options: DashboardOptions = {},
): Promise<void> {
  const root = options.root ?? DASHBOARD_DIR;
  const built = () => existsSync(join(root, 'index.html'));
  if (!built()) server.log.warn({ root }, 'the dashboard is not built: run npm run build');

  // Encapsulated, so reply.sendFile stays private to the dashboard and another @fastify/static elsewhere cannot
  // collide with it.
  await server.register(async (scope) => {
    await scope.register(fastifyStatic, { root, serve: false, dotfiles: 'ignore', suppressWarning: true });

    const sendIndex = (reply: FastifyReply) =>
      reply.headers(HTML_HEADERS).sendFile('index.html', root, { cacheControl: false });

    scope.get('/*', async (req, reply) => {
      const path = req.url.split('?')[0] ?? '/';
      if (path === '/api' || path.startsWith('/api/')) return reply.callNotFound();
      const html = acceptsHtml(req);
      if (!built()) {
        return reply
          .code(503)
          .header('cache-control', 'no-store')
          .type(html ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8')
          .send(html ? NOT_BUILT_HTML : 'The Twelve dashboard is not built: run npm run build\n');
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(path);
      } catch {
        return reply.callNotFound();
      }
      if (decoded === '/index.html') return sendIndex(reply);
      const last = decoded.slice(decoded.lastIndexOf('/') + 1);
      if (last.includes('.')) {
        // A file: @fastify/send confines it to root and answers 404 (our JSON shape) when it is not there.
        const hashed = decoded.startsWith('/assets/');
        return reply
          .header('x-content-type-options', 'nosniff')
          .sendFile(decoded.slice(1), root, hashed ? { maxAge: '365d', immutable: true } : { maxAge: '1h' });
      }
      // A page of the app: the browser asked for HTML (or for the root).
      if (html || path === '/') return sendIndex(reply);
      return reply.callNotFound();
    });
  });
}
