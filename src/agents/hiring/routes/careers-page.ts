// The public career page: GET /careers/:agent (the open jobs) and GET /careers/:agent/jobs/:jobId (a job, its
// application form, then the reference code and the voluntary self-identification form). The server sends one small
// HTML shell; web-careers/src/careers.ts (bundled here by esbuild, in memory, like the chat widget) reads the public
// API (/api/public/careers/:agent…) and builds the page. No dashboard bundle, no inline script or style: the shell
// carries a strict Content-Security-Policy, and it may be framed anywhere (`?embed=1` drops the header) because
// embedding the career page in a company's own site is its purpose.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AGENT_NAME } from '../../../runtime/agents.ts';

const CAREERS_DIR = fileURLToPath(new URL('../../../../web-careers/src/', import.meta.url));
export const CAREERS_ENTRY = `${CAREERS_DIR}careers.ts`;
export const CAREERS_CSS = `${CAREERS_DIR}careers.css`;
/** The page's own files, outside /careers/ so no agent name can shadow them. */
export const CAREERS_ASSETS = '/careers-assets';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Asset {
  body: Buffer;
  gzip: Buffer;
  etag: string;
  type: string;
}

function asset(body: Buffer, type: string): Asset {
  return {
    body,
    gzip: gzipSync(body, { level: 9 }),
    etag: `"c-${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    type,
  };
}

async function buildScript(): Promise<Asset> {
  const result = await build({
    entryPoints: [CAREERS_ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
    write: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
  });
  return asset(Buffer.from(result.outputFiles[0]!.contents), 'application/javascript; charset=utf-8');
}

/** Built once per process on first request; a failed build is not cached, so the next request tries again. */
function memo(load: () => Promise<Asset>): () => Promise<Asset> {
  let cached: Promise<Asset> | null = null;
  return () => {
    cached ??= load().catch((err: unknown) => {
      cached = null;
      throw err;
    });
    return cached;
  };
}

const script = memo(buildScript);
const style = memo(async () => asset(await readFile(CAREERS_CSS), 'text/css; charset=utf-8'));

const PAGE_HEADERS = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    // Embeddable by design: a company frames its career page in its own site.
    'frame-ancestors *',
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The shell both pages share; careers.js reads data-agent and data-job and fills <main>. */
export function careersShell(
  agent: string,
  jobId: string | null,
  embed: boolean,
  view: 'jobs' | 'screen' = 'jobs',
): string {
  const header = embed
    ? ''
    : `<header class="site"><div class="wrap"><a class="site-name" id="site-name" href="/careers/${escapeHtml(agent)}">Careers</a></div></header>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Careers</title>
<link rel="stylesheet" href="${CAREERS_ASSETS}/careers.css">
<script src="${CAREERS_ASSETS}/careers.js" defer></script>
</head>
<body class="${embed ? 'embed' : 'standalone'}">
<a class="skip" href="#main">Skip to content</a>
${header}
<main id="main" class="wrap" tabindex="-1" data-agent="${escapeHtml(agent)}"${view === 'screen' ? ' data-view="screen"' : ''}${jobId ? ` data-job="${escapeHtml(jobId)}"` : ''}${embed ? ' data-embed="1"' : ''}>
<p class="loading" role="status">Loading…</p>
<noscript><p>This page needs JavaScript to list the jobs and send an application.</p></noscript>
</main>
<div id="announcer" class="sr-only" aria-live="polite"></div>
</body></html>
`;
}

const NOT_FOUND = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><main><h1>Not found</h1><p>There is no career page at this address.</p></main></body></html>
`;

async function sendAsset(req: FastifyRequest, reply: FastifyReply, a: Asset) {
  reply
    .type(a.type)
    .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
    .header('etag', a.etag)
    .header('vary', 'accept-encoding')
    .header('x-content-type-options', 'nosniff')
    .header('cross-origin-resource-policy', 'cross-origin');
  if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
  if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')))
    return reply.header('content-encoding', 'gzip').send(a.gzip);
  return reply.send(a.body);
}

export function registerCareersPage(server: FastifyInstance): void {
  const page = (req: FastifyRequest, reply: FastifyReply) => {
    const { agent, jobId } = req.params as { agent?: string; jobId?: string };
    const embed = (req.query as { embed?: unknown } | undefined)?.embed === '1';
    if (!agent || !AGENT_NAME.test(agent) || (jobId !== undefined && !UUID.test(jobId)))
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_FOUND);
    // Whether the agent and job exist is the API's answer; the page shows it (one request, no enumeration here).
    return reply
      .headers(PAGE_HEADERS)
      .type('text/html; charset=utf-8')
      .send(
        careersShell(
          agent,
          jobId ?? null,
          embed,
          req.url.split('?')[0]!.endsWith('/screen') ? 'screen' : 'jobs',
        ),
      );
  };
  server.get('/careers/:agent', page);
  server.get('/careers/:agent/jobs/:jobId', page);
  // A phone-screen invitation: the private token rides in the fragment (#…), which browsers never send.
  server.get('/careers/:agent/screen', page);
  server.get(`${CAREERS_ASSETS}/careers.js`, async (req, reply) => sendAsset(req, reply, await script()));
  server.get(`${CAREERS_ASSETS}/careers.css`, async (req, reply) => sendAsset(req, reply, await style()));
}
