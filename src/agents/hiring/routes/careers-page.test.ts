// The career page's server side: the HTML shell for the list and the job (agent and job named in data attributes,
// escaped, strict CSP but framable), 404 for names that cannot be agents or jobs, and the script and stylesheet it
// loads (built by esbuild, gzip and ETag revalidation).
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAREERS_ASSETS, careersShell, registerCareersPage } from './careers-page.ts';

let server: FastifyInstance;
const JOB = '0b6f6b1e-8e7c-4a43-9b53-2c0d7e0f1a2b';

beforeAll(async () => {
  server = Fastify();
  registerCareersPage(server);
  await server.ready();
});
afterAll(() => server.close());

describe('career page shell', () => {
  it('serves the list and the job page with the agent and job for the script', async () => {
    const list = await server.inject({ url: '/careers/acme' });
    expect(list.statusCode).toBe(200);
    expect(list.headers['content-type']).toMatch(/^text\/html/);
    expect(list.body).toContain('data-agent="acme"');
    expect(list.body).not.toContain('data-job=');
    expect(list.body).toContain(`<script src="${CAREERS_ASSETS}/careers.js" defer></script>`);
    const csp = String(list.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain('frame-ancestors *');
    const job = await server.inject({ url: `/careers/acme/jobs/${JOB}` });
    expect(job.statusCode).toBe(200);
    expect(job.body).toContain(`data-job="${JOB}"`);
    expect(job.body).toContain('<header class="site">');
  });

  it('drops the header with ?embed=1 and keeps embed for the script', async () => {
    const res = await server.inject({ url: `/careers/acme/jobs/${JOB}?embed=1` });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<header');
    expect(res.body).toContain('data-embed="1"');
    expect(res.body).toContain('class="embed"');
  });

  it('answers 404 for a name that cannot be an agent or a job id that is not a uuid', async () => {
    for (const url of ['/careers/ACME', '/careers/a%22%3E%3Cscript%3E', `/careers/acme/jobs/not-a-uuid`]) {
      const res = await server.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.body).not.toContain('<script');
    }
  });

  it('escapes what it writes into the HTML', () => {
    expect(careersShell('a"b', null, false)).toContain('data-agent="a&#34;b"');
  });
});

describe('career page assets', () => {
  it('builds the script once and serves it gzip with an ETag that revalidates', async () => {
    const res = await server.inject({
      url: `${CAREERS_ASSETS}/careers.js`,
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['content-encoding']).toBe('gzip');
    const plain = await server.inject({ url: `${CAREERS_ASSETS}/careers.js` });
    expect(plain.body).toContain('/api/public/careers/');
    expect(plain.body).not.toContain('innerHTML');
    const again = await server.inject({
      url: `${CAREERS_ASSETS}/careers.js`,
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    const css = await server.inject({ url: `${CAREERS_ASSETS}/careers.css` });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  }, 30_000);
});
