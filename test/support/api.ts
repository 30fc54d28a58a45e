// The API test harness: an app on a test database, a silent server answering injected requests, one user and one
// API token per role, `as(role)` clients (Bearer), a cookie-session login that hands back the CSRF token, and a
// factory for scripted agents whose runs reach the states the routes act on.

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { ROLES, type Role, tokenCreator, type User, userCreator } from '../../src/accounts/users.ts';
import { type App, createApp } from '../../src/app.ts';
import type { Clock } from '../../src/clock.ts';
import type { LlmSettings } from '../../src/engines/llm/settings.ts';
import { assessmentRecorder } from '../../src/readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../../src/runtime/agents.ts';
import type { ActionInput, AgentConfig } from '../../src/runtime/types.ts';
import { buildServer } from '../../src/server/server.ts';
import { openTestDb, type TestDb } from './db.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Client {
  request(method: Method, url: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  get(url: string, headers?: Record<string, string>): Promise<Response>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  patch(url: string, body?: unknown): Promise<Response>;
  delete(url: string): Promise<Response>;
}

export type Response = LightMyRequestResponse;

export interface Session {
  cookie: string;
  csrfToken: string;
  /** The raw Set-Cookie header of the login response. */
  setCookie: string;
  /** Sends the session cookie and, unless told otherwise, the CSRF header. */
  client: Client;
  clientWithoutCsrf: Client;
}

export interface Api {
  db: TestDb;
  app: App;
  server: FastifyInstance;
  users: Record<Role, User>;
  tokens: Record<Role, string>;
  anon: Client;
  as(role: Role): Client;
  login(role: Role): Promise<Session>;
  close(): Promise<void>;
}

export const PASSWORDS: Record<Role, string> = {
  admin: 'admin-password-1234',
  reviewer: 'reviewer-password-1234',
  viewer: 'viewer-password-1234',
};

export const emailOf = (role: Role) => `${role}@example.com`;

/** A client over server.inject; JSON bodies are sent as JSON unless a content-type says otherwise. */
export function clientFor(server: FastifyInstance, base: Record<string, string> = {}): Client {
  const request = (method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const opts: InjectOptions = { method, url, headers: { ...base, ...headers } };
    if (body !== undefined) {
      if (typeof body === 'string' || Buffer.isBuffer(body)) opts.payload = body;
      else {
        opts.payload = JSON.stringify(body);
        opts.headers = { 'content-type': 'application/json', ...opts.headers };
      }
    }
    return server.inject(opts);
  };
  return {
    request,
    get: (url, headers) => request('GET', url, undefined, headers),
    post: (url, body, headers) => request('POST', url, body, headers),
    patch: (url, body) => request('PATCH', url, body),
    delete: (url) => request('DELETE', url),
  };
}

/** `{users: false}` leaves the database without users (first-run setup); `clock` for tests that order by time. */
export async function buildApi(
  options: {
    users?: boolean;
    clock?: Clock;
    llm?: LlmSettings | null;
    /** Serve this app (and its database) instead of a new one. */
    app?: App;
  } = {},
): Promise<Api> {
  const db = (options.app?.db as TestDb | undefined) ?? (await openTestDb());
  const app =
    options.app ??
    createApp(db, {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.llm !== undefined ? { llm: options.llm } : {}),
    });
  const server = await buildServer(app, {
    logLevel: 'silent',
    anchorKey: () => ({ key: 'the audit anchor key of API tests', source: 'test' }),
  });
  const users = {} as Record<Role, User>;
  const tokens = {} as Record<Role, string>;
  if (options.users !== false) {
    for (const role of ROLES) {
      users[role] = await userCreator(app, 'test', {
        email: emailOf(role),
        name: role,
        role,
        password: PASSWORDS[role],
      });
      tokens[role] = (await tokenCreator(app, 'test', { name: `test-${role}`, role })).token;
    }
  }
  const api: Api = {
    db,
    app,
    server,
    users,
    tokens,
    anon: clientFor(server),
    as: (role) => clientFor(server, { authorization: `Bearer ${tokens[role]}` }),
    login: (role) => loginAs(server, emailOf(role), PASSWORDS[role]),
    async close() {
      await server.close();
      await db.dispose();
    },
  };
  return api;
}

export async function loginAs(server: FastifyInstance, email: string, password: string): Promise<Session> {
  const res = await clientFor(server).post('/api/auth/login', { email, password });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = setCookie.split(';')[0]!;
  const csrfToken = res.json().csrfToken as string;
  return {
    cookie,
    csrfToken,
    setCookie,
    client: clientFor(server, { cookie, 'x-csrf-token': csrfToken }),
    clientWithoutCsrf: clientFor(server, { cookie }),
  };
}

/**
 * A custom agent on the scripted brain with the demo toolbox, assessed 3/3/3 (pilot: no evidence needed), so
 * writes and deletes wait for approval. `assessed: false` leaves it in shadow mode.
 */
export async function buildScriptedAgent(
  app: App,
  options: { script?: ActionInput[]; stepBudget?: number; assessed?: boolean; name?: string } = {},
): Promise<AgentConfig> {
  const agent = await agentCreator(app, 'test', {
    kind: 'custom',
    name: options.name ?? `agent-${randomUUID().slice(0, 8)}`,
    brain: 'scripted',
    spendCapCents: 100,
    ...(options.stepBudget ? { stepBudget: options.stepBudget } : {}),
    config: { script: options.script ?? [{ type: 'done', outcome: 'nothing to do' }] },
  });
  if (options.assessed !== false) {
    await assessmentRecorder(app, 'test', agent.id, { clarity: 3, tolerance: 3, fallback: 3 });
  }
  return agent;
}

/**
 * An agent whose script deletes a real note: `notes.delete` is destructive, so each of its runs waits for approval,
 * then finishes once approved.
 */
export async function buildApprovalAgent(app: App): Promise<{ agent: AgentConfig; noteId: string }> {
  const agent = await buildScriptedAgent(app);
  const [note] = await app.db.query<{ id: string }>(
    'INSERT INTO demo_notes (agent_id, body) VALUES ($1, $2) RETURNING id',
    [agent.id, 'an outdated note'],
  );
  const script: ActionInput[] = [
    { type: 'tool', name: 'notes.delete', args: { id: note!.id } },
    { type: 'done', outcome: 'cleaned up' },
  ];
  return { agent: await agentUpdater(app, 'test', agent.id, { config: { script } }), noteId: note!.id };
}

/** Starts a run that suspends on an approval; returns the run id and the pending approval id. */
export async function startSuspendedRun(
  app: App,
  agent: AgentConfig,
): Promise<{ runId: string; approvalId: string }> {
  const run = await app.runtime.startRun(agent.id, { type: 'message', text: 'please tidy my notes' });
  const [approval] = await app.db.query<{ id: string }>(
    `SELECT id FROM approvals WHERE run_id = $1 AND status = 'pending'`,
    [run.id],
  );
  if (run.status !== 'suspended' || !approval) throw new Error(`expected a suspended run, got ${run.status}`);
  return { runId: run.id, approvalId: approval.id };
}

/** Starts a run whose customer asks for a person: it escalates before the brain runs. Returns the escalation id. */
export async function startEscalatedRun(
  app: App,
  agent: AgentConfig,
  conversationId = `conv-${randomUUID().slice(0, 8)}`,
): Promise<{ runId: string; escalationId: string; conversationId: string }> {
  const run = await app.runtime.startRun(agent.id, {
    type: 'message',
    text: 'Can I talk to a person please?',
    conversationId,
  });
  const [esc] = await app.db.query<{ id: string }>(
    `SELECT id FROM escalations WHERE run_id = $1 AND state = 'open'`,
    [run.id],
  );
  if (!esc) throw new Error(`expected an escalation, run is ${run.status}`);
  return { runId: run.id, escalationId: esc.id, conversationId };
}

/** A run stopped at its step budget (1 step, script of 2): a checkpoint a human continues or closes. */
export async function startCheckpointRun(app: App): Promise<{ runId: string; agent: AgentConfig }> {
  const agent = await buildScriptedAgent(app, {
    stepBudget: 1,
    script: [
      { type: 'tool', name: 'notes.search', args: { query: 'a' } },
      { type: 'tool', name: 'notes.search', args: { query: 'b' } },
    ],
  });
  const run = await app.runtime.startRun(agent.id, { type: 'manual' });
  if (run.status !== 'checkpoint') throw new Error(`expected a checkpoint, got ${run.status}`);
  return { runId: run.id, agent };
}
