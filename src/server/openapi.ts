// The OpenAPI 3.1 document, generated from the zod schemas every route declares (so it cannot drift from the code).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ERRORS } from '../errors.ts';
import { registeredRoutes } from './http.ts';
import { PERMISSIONS } from './permissions.ts';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const js = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    schema: s,
  }));
}

export function buildOpenApi(server: FastifyInstance, version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of registeredRoutes(server)) {
    const path = r.url.replace(/:([a-zA-Z]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: r.tags,
      ...(r.permission
        ? {
            security: [{ bearer: [] }, { session: [] }],
            description: `Roles: ${PERMISSIONS[r.permission].join(', ')} (permission ${r.permission}).`,
          }
        : { security: [] }),
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } }
        : {}),
      responses: {
        [String(r.status)]: { description: 'Success' },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Twelve API', version },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API token (twelve dashboard → tokens)' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'twelve_session',
          description: 'Browser session; unsafe methods also need x-csrf-token',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['id', 'message'],
              properties: {
                id: { type: 'string', enum: Object.keys(ERRORS) },
                message: { type: 'string' },
                details: {},
                requestId: { type: 'string' },
              },
            },
          },
        },
      },
    },
  };
}
