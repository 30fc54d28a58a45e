// GET /demo: examples/demo.html, the page of a fictional bike shop with the widget's embed snippet, pointed at the
// origin that serves it and at the chosen agent, so a new user sees the widget working in one click. The page is
// served with a strict Content-Security-Policy (no inline script, no inline style but the page's own hashed one),
// which doubles as a check that the widget runs on sites that lock themselves down.
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../../store/db.ts';
import { AGENT_NAME } from './protocol.ts';

/** The placeholders of examples/demo.html, as they appear in a real embed snippet. */
const PLACEHOLDER_ORIGIN = 'https://twelve.example';
const PLACEHOLDER_AGENT = 'data-agent="northwind"';
const DEFAULT_AGENT = 'northwind';
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export interface DemoPage {
  status: number;
  headers: Record<string, string>;
  html: string;
}

/** The agent to show: ?agent=NAME, else "northwind", else the first active agent of a kind the web chat serves. */
async function demoAgent(
  q: Queryable,
  requested: string | undefined,
  kinds: readonly string[],
): Promise<string | null> {
  const rows = await q.query<{ name: string }>(
    `SELECT name FROM agents WHERE kind = ANY($2::text[]) AND status = 'active' ORDER BY name <> $1, name LIMIT 1`,
    [DEFAULT_AGENT, kinds],
  );
  return requested ?? rows[0]?.name ?? null;
}

/** Where the page was fetched from; a Host header that is not a plain host[:port] falls back to a relative URL. */
function originOf(req: FastifyRequest): string {
  const host = req.host;
  return typeof host === 'string' && HOST.test(host) ? `${req.protocol}://${host}` : '';
}

function styleHashes(html: string): string[] {
  return [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
  );
}

export async function demoPage(
  q: Queryable,
  template: string,
  req: FastifyRequest,
  kinds: readonly string[],
): Promise<DemoPage> {
  const requested = (req.query as { agent?: unknown } | undefined)?.agent;
  if (requested !== undefined && (typeof requested !== 'string' || !AGENT_NAME.test(requested))) {
    return {
      status: 400,
      headers: { 'cache-control': 'no-store' },
      html: '<!doctype html><title>Bad request</title><p>agent must be an agent name (a-z, 0-9, -).</p>',
    };
  }
  const agent = await demoAgent(q, requested, kinds);
  let html = template.replaceAll(PLACEHOLDER_ORIGIN, originOf(req));
  if (agent) html = html.replaceAll(PLACEHOLDER_AGENT, `data-agent="${agent}"`);
  // The setup note is hidden unless there is no support agent to talk to yet.
  if (!agent) html = html.replace('<aside class="setup" hidden>', '<aside class="setup">');
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' ${styleHashes(html).join(' ')}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    status: 200,
    headers: {
      'content-security-policy': csp,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    html,
  };
}
