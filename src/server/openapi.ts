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

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

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
      // A file sent as the body: raw bytes in one of the listed media types (OpenAPI 3.1 binary content).
      ...(r.upload
        ? {
            requestBody: {
              required: true,
              description: r.upload.description,
              content: Object.fromEntries(
                r.upload.mediaTypes.map((t) => [t, { schema: { type: 'string', contentMediaType: t } }]),
              ),
            },
            'x-max-body-bytes': r.upload.maxBytes,
          }
        : {}),
      responses: {
        [String(r.status)]: { description: 'Success' },
        ...(r.upload
          ? {
              '413': errorResponse(`payload_too_large: the file is over ${r.upload.maxBytes} bytes`),
              '415': errorResponse(
                'unsupported_media_type: not an accepted type, or the bytes are not what the name and Content-Type say',
              ),
              '422': errorResponse('file_unreadable: the file does not parse, or holds no text'),
            }
          : {}),
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
