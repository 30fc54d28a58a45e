// The API reference at /docs: the server's own OpenAPI document (openapi.ts, generated from every route's zod
// schemas) rendered as one HTML page on the server. Offline (no CDN), no script, and the dashboard's strict CSP; a
// vendored renderer (swagger-ui-dist) was left out because it pulls in a telemetry package with an install script.
// Operations are grouped by tag, each with who may call it, its parameters, request body schema and responses.
import type { FastifyInstance } from 'fastify';
import { buildOpenApi } from './openapi.ts';

const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }>; description?: string };
  responses?: Record<string, { description?: string }>;
}

const anchor = (method: string, path: string) =>
  `${method}-${path}`
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

/** The reference as HTML, from an OpenAPI 3.1 document. Pure: tests call it with a document. */
export function renderApiReference(doc: ReturnType<typeof buildOpenApi>): string {
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(ops)) {
      const op = raw as Operation;
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ method: method.toUpperCase(), path, op });
    }
  }
  const tags = [...byTag.keys()].sort();
  const toc = tags
    .map(
      (t) => `<li><a href="#tag-${esc(t)}">${esc(t)}</a> <span class="n">${byTag.get(t)!.length}</span></li>`,
    )
    .join('');
  const sections = tags
    .map((tag) => {
      const ops = byTag
        .get(tag)!
        .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))
        .map(({ method, path, op }) => {
          const params = (op.parameters ?? [])
            .map(
              (p) =>
                `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'required' : 'optional'}</td><td><code>${esc(JSON.stringify(p.schema ?? {}))}</code></td></tr>`,
            )
            .join('');
          const body = Object.entries(op.requestBody?.content ?? {})
            .map(
              ([type, c]) =>
                `<details><summary>Request body: <code>${esc(type)}</code></summary><pre>${esc(JSON.stringify(c.schema ?? {}, null, 2))}</pre></details>`,
            )
            .join('');
          const responses = Object.entries(op.responses ?? {})
            .map(([code, r]) => `<li><code>${esc(code)}</code> ${esc(r.description ?? '')}</li>`)
            .join('');
          const auth =
            op.security && op.security.length === 0
              ? '<p class="auth">No credentials needed.</p>'
              : `<p class="auth">${esc(op.description ?? 'Signed in or an API token.')}</p>`;
          return `<article class="op" id="${anchor(method, path)}">
<h3><span class="m m-${esc(method.toLowerCase())}">${esc(method)}</span> <code>${esc(path)}</code></h3>
<p>${esc(op.summary ?? '')}</p>${auth}
${params ? `<table><caption>Parameters</caption><thead><tr><th>Name</th><th>In</th><th></th><th>Schema</th></tr></thead><tbody>${params}</tbody></table>` : ''}
${op.requestBody?.description ? `<p>${esc(op.requestBody.description)}</p>` : ''}${body}
<ul class="responses">${responses}</ul>
</article>`;
        })
        .join('\n');
      return `<section id="tag-${esc(tag)}"><h2>${esc(tag)}</h2>${ops}</section>`;
    })
    .join('\n');
  const errorIds = (
    (doc.components.schemas.Error.properties.error.properties.id as { enum?: string[] }).enum ?? []
  )
    .map((id) => `<code>${esc(id)}</code>`)
    .join(' ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)} · reference</title><link rel="stylesheet" href="/docs/docs.css"></head>
<body><header><h1>${esc(doc.info.title)} <span class="v">${esc(doc.info.version)}</span></h1>
<p>Every route of this server, from its OpenAPI document (<a href="/api/openapi.json">/api/openapi.json</a>).
Authenticate with <code>Authorization: Bearer &lt;token&gt;</code> (an API token from Settings → People, or
<code>twelve token create</code>), or a browser session (unsafe methods then need <code>x-csrf-token</code>).
Errors are <code>{"error": {"id", "message", "details", "requestId"}}</code> with a stable id:</p>
<p class="ids">${errorIds}</p>
<nav aria-label="Groups"><ul>${toc}</ul></nav></header>
<main>${sections}</main></body></html>`;
}

const DOCS_CSS = `body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#17222b;background:#f7f8fa}
header,main{max-width:60rem;margin:0 auto;padding:1rem 1.25rem}
h1 .v{font-size:.6em;color:#5d6b75;font-weight:500}
h2{margin-top:2.5rem;text-transform:capitalize;border-bottom:1px solid #e3e7ea;padding-bottom:.3rem}
nav ul{display:flex;flex-wrap:wrap;gap:.4rem 1rem;list-style:none;padding:0}
nav .n{color:#5d6b75;font-size:.85em}
.ids code{display:inline-block;margin:0 .3rem .3rem 0}
.op{background:#fff;border:1px solid #e3e7ea;border-radius:8px;padding:.75rem 1rem;margin:1rem 0}
.op h3{margin:0;font-size:1rem;overflow-wrap:anywhere}
.m{display:inline-block;min-width:4.2rem;text-align:center;border-radius:4px;padding:0 .4rem;font-size:.8rem;color:#fff;background:#5d6b75}
.m-get{background:#1f6feb}.m-post{background:#0f6b5c}.m-put,.m-patch{background:#9a6700}.m-delete{background:#b3261e}
.auth{color:#5d6b75;font-size:.9em;margin:.25rem 0}
table{border-collapse:collapse;font-size:.85em;margin:.5rem 0;display:block;overflow-x:auto}
caption{text-align:left;font-weight:600}
td,th{border-top:1px solid #e3e7ea;padding:.25rem .5rem;text-align:left;vertical-align:top}
pre{background:#f0f2f5;padding:.5rem .75rem;border-radius:6px;overflow-x:auto;font-size:.8rem}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
.responses{font-size:.85em;color:#5d6b75;padding-left:1.2rem;margin:.25rem 0 0}
@media (prefers-color-scheme:dark){body{background:#0f1519;color:#e6ecef}.op{background:#151c21;border-color:#34424c}
pre{background:#1e272e}h2,td,th{border-color:#34424c}.auth,.responses,nav .n,h1 .v{color:#9fadb6}a{color:#8ab4f8}}
`;

/** GET /docs and its stylesheet. The page is built on first request (every route is registered by then). */
export function registerApiDocs(server: FastifyInstance, version: string): void {
  let html: string | null = null;
  server.get('/docs', async (_req, reply) => {
    html ??= renderApiReference(buildOpenApi(server, version));
    return reply
      .headers({
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      })
      .type('text/html; charset=utf-8')
      .send(html);
  });
  server.get('/docs/docs.css', async (_req, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(DOCS_CSS),
  );
}
