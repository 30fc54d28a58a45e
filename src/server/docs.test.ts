// /docs renders the server's own OpenAPI document: every route appears with who may call it, it loads nothing from
// elsewhere (a strict CSP, its stylesheet served here), and text from the document is escaped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../test/support/api.ts';
import { renderApiReference } from './docs.ts';
import { registeredRoutes } from './http.ts';
import { buildOpenApi } from './openapi.ts';

let api: Api;
beforeAll(async () => {
  api = await buildApi({ users: false });
});
afterAll(() => api.close());

describe('API reference at /docs', () => {
  it('lists every registered route with its method, roles and schemas, offline', async () => {
    const res = await api.anon.get('/docs');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'none'");
    const html = res.body;
    for (const r of registeredRoutes(api.server)) {
      const path = r.url.replace(/:([a-zA-Z]+)/g, '{$1}');
      expect(html, `${r.method} ${r.url}`).toContain(
        `>${r.method}</span> <code>${path.replaceAll('&', '&amp;')}</code>`,
      );
    }
    expect(html).toContain('Roles: admin (permission users.manage).');
    expect(html).not.toMatch(/<script|(?:src|href)="https?:/i);
    const css = await api.anon.get('/docs/docs.css');
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('escapes what the document says', () => {
    const doc = buildOpenApi(api.server, '1');
    doc.paths['/api/x'] = { get: { summary: '<img src=x onerror=alert(1)>', tags: ['t'], security: [] } };
    const html = renderApiReference(doc);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
  });
});
