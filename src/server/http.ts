// The route pipeline: authenticate → authorize → validate (zod) → handler → present. Every route is declared with
// its schemas, which also feed the OpenAPI document, and every error leaves through one handler in one shape.
import '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Role, sessionLookup, tokenLookup, type User } from '../accounts/users.ts';
import type { App } from '../app.ts';
import type { Services } from '../context.ts';
import { AppError, ERRORS, type ErrorId } from '../errors.ts';
import { pgUnsafe } from '../store/text.ts';
import { authorize, type Permission } from './permissions.ts';

export const SESSION_COOKIE = 'twelve_session';

export interface Principal {
  actor: string;
  role: Role;
  user: User | null;
  /** Set for cookie sessions: unsafe methods must echo it in the x-csrf-token header. */
  csrfToken: string | null;
}

export interface RouteContext<B, Q, P, A extends Services = App> {
  /** The app the route was registered with: the platform's App, or a kind's own context (agents/kind.ts). */
  app: A;
  principal: Principal;
  body: B;
  query: Q;
  params: P;
  req: FastifyRequest;
  reply: FastifyReply;
  /** The request body as bytes, for upload routes (spec.upload); null elsewhere. */
  raw: Buffer | null;
}

/** A route whose body is a file, sent as is (not JSON): the media types it accepts and its size limit. */
export interface UploadSpec {
  mediaTypes: readonly string[];
  maxBytes: number;
  /** For the OpenAPI document: what the body is. */
  description: string;
}

export interface RouteSpec<B, Q, P> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tags: string[];
  /** null: public route (no authentication). */
  permission: Permission | null;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** HTTP status of a success (default 200). */
  status?: number;
  upload?: UploadSpec;
}

export interface RegisteredRoute {
  method: string;
  url: string;
  summary: string;
  tags: string[];
  permission: Permission | null;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  status: number;
  upload?: UploadSpec;
}

const registries = new WeakMap<FastifyInstance, RegisteredRoute[]>();

export function registeredRoutes(server: FastifyInstance): RegisteredRoute[] {
  return registries.get(server) ?? [];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal | null;
  }
}

/** Who is calling: an API token (Authorization: Bearer) or a session cookie. */
export async function authenticate(app: Services, req: FastifyRequest): Promise<Principal | null> {
  if (req.principal !== undefined) return req.principal;
  const principal = await lookupPrincipal(app, req);
  req.principal = principal;
  return principal;
}

/** Who the request's credential (bearer token or session cookie) belongs to now, read afresh (no caching). */
export async function lookupPrincipal(app: Services, req: FastifyRequest): Promise<Principal | null> {
  let principal: Principal | null = null;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const token = await tokenLookup(app, auth.slice(7).trim());
    principal = token
      ? { actor: `token:${token.name}`, role: token.role, user: null, csrfToken: null }
      : null;
  } else {
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (cookie) {
      const session = await sessionLookup(app, cookie);
      principal = session
        ? {
            actor: `user:${session.user.email}`,
            role: session.user.role,
            user: session.user,
            csrfToken: session.csrfToken,
          }
        : null;
    }
  }
  return principal;
}

/**
 * PostgreSQL refuses NUL and lone UTF-16 halves in text and jsonb (store/text.ts): a request value holding one (path,
 * query or JSON body, at any depth, keys included) is refused here with the place it was found, not by the database
 * with a 500. Returns that place, or null.
 */
function unsafeTextAt(value: unknown, where: string): string | null {
  // Iterative: a JSON body can nest deeper than the call stack. Raw bodies (uploads: a Buffer) are not text.
  const stack: [unknown, string][] = [[value, where]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (pgUnsafe(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}.${i}`]);
    } else if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
      for (const [k, item] of Object.entries(v)) {
        if (pgUnsafe(k)) return `${path}.${JSON.stringify(k).slice(1, -1)}`;
        stack.push([item, `${path}.${k}`]);
      }
    }
  }
  return null;
}

function parseWith<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  const unsafe = unsafeTextAt(value, where);
  if (unsafe) {
    throw new AppError('validation_failed', `the ${where} is not valid`, [
      {
        path: unsafe.slice(0, 200),
        message: 'must be text without NUL (\\u0000) or unpaired UTF-16 surrogates (\\ud800-\\udfff)',
      },
    ]);
  }
  if (!schema) return undefined as T;
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    throw new AppError(
      'validation_failed',
      `the ${where} is not valid`,
      r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })),
    );
  }
  return r.data;
}

const JSON_CONTENT_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/** Who may call the route: authenticate, authorize, and check the CSRF token of cookie sessions on unsafe methods. */
async function guard(app: Services, spec: RouteSpec<unknown, unknown, unknown>, req: FastifyRequest) {
  let principal: Principal = { actor: 'anonymous', role: 'viewer', user: null, csrfToken: null };
  if (spec.permission) {
    const p = await authenticate(app, req);
    if (!p) throw new AppError('unauthorized');
    authorize(p.role, spec.permission);
    if (p.csrfToken && spec.method !== 'GET' && req.headers['x-csrf-token'] !== p.csrfToken) {
      throw new AppError('csrf_failed');
    }
    principal = p;
  }
  return principal;
}

export function route<B = undefined, Q = undefined, P = undefined, A extends Services = App>(
  server: FastifyInstance,
  app: A,
  spec: RouteSpec<B, Q, P>,
  handler: (ctx: RouteContext<B, Q, P, A>) => Promise<unknown>,
): void {
  const list = registries.get(server) ?? [];
  registries.set(server, list);
  list.push({ ...spec, status: spec.status ?? 200 } as RegisteredRoute);
  const generic = spec as RouteSpec<unknown, unknown, unknown>;
  // Upload routes check the caller on the request line (onRequest, below); the handler reuses that principal
  // instead of authenticating a second time.
  const checked = new WeakMap<FastifyRequest, Principal>();
  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const principal = checked.get(req) ?? (await guard(app, generic, req));
    // Fastify also parses text/plain, the content type a cross-site form can send without a CORS preflight;
    // a JSON route accepts JSON only.
    if (spec.body && req.body !== undefined && !JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? '')) {
      throw new AppError('unsupported_media_type', 'send the body as application/json');
    }
    const params = parseWith(spec.params, req.params, 'path');
    const query = parseWith(spec.query, req.query, 'query');
    const body = parseWith(spec.body, req.body, 'body');
    let raw: Buffer | null = null;
    if (spec.upload) {
      if (!Buffer.isBuffer(req.body) || req.body.length === 0)
        throw new AppError('validation_failed', 'send the file as the request body');
      raw = req.body;
    }
    const result = await handler({ app, principal, body, query, params, req, reply, raw });
    if (reply.sent) return reply;
    reply.code(spec.status ?? 200);
    return result ?? { ok: true };
  };
  const upload = spec.upload;
  if (!upload) {
    server.route({ method: spec.method, url: spec.url, handler: handle });
    return;
  }
  // An upload route lives in its own scope: its parser hands over the body as bytes for its media types only
  // (anything else is 415), with its own size limit instead of the server's 1 MiB. Callers are checked on the
  // request line, before a byte of the body is read, so nobody unauthorized makes the server buffer a large file.
  server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      [...upload.mediaTypes],
      { parseAs: 'buffer', bodyLimit: upload.maxBytes },
      (_req, body, done) => done(null, body),
    );
    scope.setErrorHandler((err, _req, _reply) => {
      const code = (err as { code?: string }).code;
      if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        throw new AppError('payload_too_large', `files are limited to ${mebibytes(upload.maxBytes)}`);
      if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
        throw new AppError(
          'unsupported_media_type',
          `send the file with one of these Content-Types: ${upload.mediaTypes.join(', ')}`,
        );
      throw err;
    });
    scope.route({
      method: spec.method,
      url: spec.url,
      bodyLimit: upload.maxBytes,
      onRequest: async (req) => {
        checked.set(req, await guard(app, generic, req));
      },
      handler: handle,
    });
  });
}

const mebibytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

export function errorBody(id: ErrorId, message: string, details?: unknown, requestId?: string) {
  return {
    error: {
      id,
      message,
      ...(details === undefined ? {} : { details }),
      ...(requestId ? { requestId } : {}),
    },
  };
}

const FASTIFY_CODES: Record<string, ErrorId> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_MULTIPLE_CONTENT_TYPE_HEADERS: 'validation_failed',
  FST_ERR_VALIDATION: 'validation_failed',
};

/**
 * Fastify answers a malformed URL (bad percent-encoding) or an over-long path parameter (> maxParamLength) before
 * routing, in its own JSON shape, unless the server is built with `frameworkErrors: frameworkErrorHandler`.
 */
export function frameworkErrorHandler(_err: Error, req: FastifyRequest, reply: FastifyReply): void {
  reply
    .code(400)
    .send(
      errorBody(
        'validation_failed',
        'the URL is malformed or a path parameter is too long',
        undefined,
        req.id,
      ),
    );
}

/** The one exit point for errors: known ids keep their status; everything else is internal_error, logged, not leaked. */
export function installErrorHandling(server: FastifyInstance): void {
  server.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) {
      return reply.code(err.status).send(errorBody(err.id, err.message, err.details, req.id));
    }
    const e = err as { code?: string; statusCode?: number; message?: string };
    let id: ErrorId | undefined = e.code ? FASTIFY_CODES[e.code] : undefined;
    if (!id && e.statusCode === 429) id = 'rate_limited';
    if (!id && err instanceof SyntaxError && e.statusCode === 400) id = 'invalid_json';
    if (!id && e.statusCode === 400) id = 'validation_failed';
    if (id) return reply.code(ERRORS[id].status).send(errorBody(id, ERRORS[id].message, undefined, req.id));
    req.log.error({ err }, 'unhandled error');
    return reply
      .code(500)
      .send(errorBody('internal_error', ERRORS.internal_error.message, undefined, req.id));
  });
  server.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`, undefined, req.id));
  });
}

export const UuidParam = z.object({ id: z.string().uuid() }).strict();
/** `:agent` in a route: an agent's name or id (findAgent resolves both). */
export const AgentParam = z.object({ agent: z.string().min(1).max(100) }).strict();
export const Paging = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
