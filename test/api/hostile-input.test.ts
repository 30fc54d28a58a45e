// Hostile and malformed requests get a clean error in the one shape ({error:{id,message,details?,requestId}}) and
// never take the process down: oversized bodies, wrong content types, broken JSON, unknown fields, bad ids, unknown
// routes, malformed URLs.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameworkErrorHandler, installErrorHandling } from '../../src/server/http.ts';
import { type Api, buildApi, type Response } from '../support/api.ts';

let api: Api;
beforeAll(async () => {
  api = await buildApi();
});
afterAll(() => api.close());

function expectError(res: Response, status: number, id: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(body.error).toMatchObject({ id, message: expect.any(String) });
  expect(body.error.requestId).toBe(res.headers['x-request-id']);
  expect(Object.keys(body)).toEqual(['error']);
}

describe('hostile input', () => {
  it('refuses a body over 1 MiB with 413 payload_too_large', async () => {
    const text = 'x'.repeat(1_100_000);
    const res = await api.as('admin').post('/api/tokens', { name: text, role: 'viewer' });
    expectError(res, 413, 'payload_too_large');
  });

  it('refuses text/plain on a JSON route with 415, and unknown media types too', async () => {
    const body = JSON.stringify({ name: 'sneaky', role: 'admin' });
    for (const type of ['text/plain', 'text/plain;charset=utf-8', 'application/xml']) {
      const res = await api.as('admin').post('/api/tokens', body, { 'content-type': type });
      expectError(res, 415, 'unsupported_media_type');
    }
    expect((await api.as('admin').get('/api/tokens')).json().tokens).not.toContainEqual(
      expect.objectContaining({ name: 'sneaky' }),
    );
  });

  it('accepts JSON with a charset parameter', async () => {
    const body = JSON.stringify({ name: 'charset', role: 'viewer' });
    const res = await api.as('admin').post('/api/tokens', body, {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.statusCode).toBe(201);
  });

  it('refuses malformed and empty JSON with 400 invalid_json', async () => {
    const json = { 'content-type': 'application/json' };
    expectError(await api.as('admin').post('/api/tokens', '{"name": "x", ', json), 400, 'invalid_json');
    expectError(await api.as('admin').post('/api/tokens', '', json), 400, 'invalid_json');
  });

  it('refuses prototype pollution attempts', async () => {
    const res = await api
      .as('admin')
      .post('/api/tokens', '{"name":"x","role":"viewer","__proto__":{"role":"admin"}}', {
        'content-type': 'application/json',
      });
    expect(res.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it('refuses unknown fields with 400 validation_failed and names them', async () => {
    const res = await api.as('admin').post('/api/tokens', { name: 'x', role: 'viewer', admin: true });
    expectError(res, 400, 'validation_failed');
    expect(JSON.stringify(res.json().error.details)).toContain('admin');
  });

  it('refuses wrong types and out-of-range values with 400', async () => {
    expectError(
      await api.as('admin').post('/api/tokens', { name: 7, role: 'root' }),
      400,
      'validation_failed',
    );
    expectError(await api.as('viewer').get('/api/runs?limit=100000'), 400, 'validation_failed');
    expectError(await api.as('viewer').get('/api/runs?status=exploded'), 400, 'validation_failed');
    expectError(await api.as('viewer').get('/api/audit?before=-1'), 400, 'validation_failed');
  });

  it('refuses non-uuid ids with 400 instead of reaching the database', async () => {
    for (const url of ['/api/runs/123', "/api/escalations/1'%20OR%20'1'='1", '/api/runs/not-a-uuid']) {
      expectError(await api.as('viewer').get(url), 400, 'validation_failed');
    }
    expectError(await api.as('admin').delete('/api/tokens/abc'), 400, 'validation_failed');
  });

  it('answers unknown ids with 404 not_found', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expectError(await api.as('viewer').get(`/api/runs/${id}`), 404, 'not_found');
    expectError(await api.as('viewer').get(`/api/escalations/${id}`), 404, 'not_found');
    expectError(await api.as('reviewer').post(`/api/approvals/${id}/approve`, {}), 404, 'not_found');
    expectError(await api.as('admin').delete(`/api/tokens/${id}`), 404, 'not_found');
  });

  it('answers unknown routes with 404 not_found', async () => {
    expectError(await api.anon.get('/api/nope'), 404, 'not_found');
    expectError(await api.anon.request('PUT', '/api/runs'), 404, 'not_found');
  });

  it('answers a garbage bearer token like no token', async () => {
    const res = await api.anon.get('/api/runs', { authorization: 'Bearer \u0000garbage' });
    expectError(res, 401, 'unauthorized');
  });

  it('is still serving after all of the above', async () => {
    expect((await api.anon.get('/health')).json()).toEqual({ status: 'ok' });
    expect((await api.as('viewer').get('/api/runs')).statusCode).toBe(200);
  });
});

describe('framework errors', () => {
  // Fastify answers these before routing; frameworkErrorHandler keeps them in the one shape when the server is
  // built with it (see the report: server.ts does not pass it yet).
  it('keeps a malformed URL and an over-long path parameter in the one error shape', async () => {
    const server = Fastify({ frameworkErrors: frameworkErrorHandler, genReqId: () => crypto.randomUUID() });
    installErrorHandling(server);
    server.get('/things/:id', async () => ({ ok: true }));
    for (const url of ['/things/%E0%A4%A', `/things/${'x'.repeat(200)}`]) {
      const res = await server.inject({ url });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ id: 'validation_failed', requestId: expect.any(String) });
    }
    await server.close();
  });
});
