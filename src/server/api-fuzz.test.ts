// Every operation the OpenAPI document lists, fed hostile requests (seeded, so a failure reproduces): path values
// that are not ids, NUL and unpaired surrogates, huge and deeply nested values, wrong types in otherwise well-formed
// bodies, broken JSON and the wrong content type. Each must answer below 500, with a stable error id when refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, buildApi } from '../../test/support/api.ts';
import { SUPPORT_KIND } from '../agents/support/kind.ts';
import { conversationOpener, customerMessageHandler } from '../conversations/conversations.ts';
import { mulberry32 } from '../engines/local/random.ts';
import { faqCreator } from '../knowledge/kb.ts';
import { agentCreator } from '../runtime/agents.ts';

const CASES_PER_OPERATION = 24;
/** Streams (never end) and operations that would end the test's own session. */
const SKIP = new Set(['GET /api/events', 'POST /api/auth/logout', 'DELETE /api/tokens/{id}']);

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  maxLength?: number;
  maximum?: number;
};

let api: Api;
const real: string[] = [];

beforeAll(async () => {
  api = await buildApi();
  const agent = await agentCreator(api.app, 'user:admin@example.com', { kind: SUPPORT_KIND, name: 'fuzzed' });
  const entry = await faqCreator(api.app, 'user:admin@example.com', agent.id, {
    title: 'Opening hours',
    answer: 'Nine to five.',
    phrasings: ['when are you open'],
  });
  const { conversation } = await conversationOpener(api.app, { agentId: agent.id, channel: 'webchat' });
  const handed = await customerMessageHandler(api.app, { conversation, text: 'I want to talk to a person' });
  real.push(agent.name, agent.id, entry.id, handed.escalationId ?? agent.id, handed.run?.id ?? agent.id);
});

afterAll(async () => {
  await api?.close();
});

describe('every API operation under hostile input', () => {
  it('answers below 500, with an error id when it refuses [channel:bad-input-refused]', async () => {
    const spec = (await api.as('viewer').get('/api/openapi.json')).json() as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>
      >;
    };
    const rand = mulberry32(20261127);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const hostileStrings = [
      '\u0000',
      'a\u0000b',
      '\ud800',
      'x\udc00y',
      'x'.repeat(100_000),
      '',
      ' ',
      '<script>alert(1)</script>',
      "' OR 1=1 --",
      '../../etc/passwd',
      '2026-02-30T25:61:00Z',
      'NaN',
      '-1',
      '1e400',
    ];
    const junk = (depth: number): unknown => {
      const r = rand();
      if (depth > 3 || r < 0.35) return pick(hostileScalars());
      if (r < 0.6) return [junk(depth + 1), junk(depth + 1)];
      // An own "__proto__" key, as JSON.parse makes one: prototype pollution must not get through either.
      return { ...JSON.parse('{"__proto__": {"polluted": true}}'), a: junk(depth + 1), constructor: 'x' };
    };
    function hostileScalars(): unknown[] {
      return [...hostileStrings, null, true, -1, 0, 1e308, 0.5, Number.MAX_SAFE_INTEGER + 2];
    }
    // A body shaped like the schema, with some fields replaced by junk: deep enough to pass the first checks.
    const sample = (schema: Schema | undefined, depth = 0): unknown => {
      if (!schema || depth > 5) return junk(depth);
      const alternatives = schema.anyOf ?? schema.oneOf;
      if (alternatives) return sample(pick(alternatives), depth + 1);
      const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
      if (type === 'object' || schema.properties) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(schema.properties ?? {}))
          out[k] = rand() < 0.25 ? junk(depth + 1) : sample(v, depth + 1);
        return out;
      }
      if (type === 'array') return [sample(schema.items, depth + 1)];
      if (type === 'string') {
        if (schema.enum) return pick(schema.enum);
        return rand() < 0.5 ? pick(hostileStrings) : 'hello';
      }
      if (type === 'integer' || type === 'number') return pick([1, -1, (schema.maximum ?? 10) + 1, 1.5]);
      if (type === 'boolean') return true;
      return junk(depth);
    };
    // Already percent-encoded: invalid UTF-8 and encoded surrogates cannot come from encodeURIComponent.
    const rawPathValues = ['%00', '%ED%A0%80', '%FF', '%E0%A4%A', '%2e%2e%2f', '0', 'x'.repeat(3000)];
    const encodable = hostileStrings.filter((s) => s !== '' && s.length < 1000 && !/[\ud800-\udfff]/.test(s));
    const pathValue = () => {
      const r = rand();
      if (r < 0.35) return encodeURIComponent(pick(real));
      if (r < 0.7) return encodeURIComponent(pick(encodable));
      return pick(rawPathValues);
    };

    const failures: string[] = [];
    let sent = 0;
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const name = `${method.toUpperCase()} ${path}`;
        if (SKIP.has(name)) continue;
        const schema = op.requestBody?.content?.['application/json']?.schema;
        for (let i = 0; i < CASES_PER_OPERATION; i++) {
          const url =
            path.replace(/\{[^}]+\}/g, pathValue) +
            (rand() < 0.3
              ? `?limit=${pick(['-5', '0', '1e9', '%00', 'x'])}&cursor=%ZZ&agent=${pathValue()}`
              : '');
          let body: unknown;
          let headers: Record<string, string> = {};
          if (method !== 'get' && method !== 'delete') {
            const kind = pick(['shaped', 'shaped', 'shaped', 'junk', 'broken', 'deep', 'text']);
            if (kind === 'shaped') body = sample(schema);
            else if (kind === 'junk') body = junk(0);
            else if (kind === 'broken') {
              body = '{"a": [1, ';
              headers = { 'content-type': 'application/json' };
            } else if (kind === 'deep') {
              body = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
              headers = { 'content-type': 'application/json' };
            } else {
              body = 'plain text';
              headers = { 'content-type': 'text/plain' };
            }
          }
          const role = pick(['admin', 'admin', 'reviewer', 'viewer'] as const);
          const res = await api.as(role).request(method.toUpperCase() as 'GET', url, body, headers);
          sent++;
          const where = `${name} (case ${i}, ${role}) ${url.slice(0, 120)}`;
          if (res.statusCode >= 500) failures.push(`${res.statusCode} ${where}: ${res.body.slice(0, 200)}`);
          else if (res.statusCode >= 400 && typeof res.json()?.error?.id !== 'string')
            failures.push(`${res.statusCode} without an error id: ${where}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(500);
    expect(failures).toEqual([]);
  }, 120_000);
});
