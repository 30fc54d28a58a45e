// Every registered route with a permission answers 401 without credentials, 403 to a role outside its permission,
// 400 to bad input and 2xx to the least-privileged role it allows. A route without a fixture here fails the suite,
// so no route can ship unchecked; public routes are listed deliberately.
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { inviteCreator } from '../../src/accounts/invites.ts';
import { ROLES, type Role, tokenCreator, userCreator } from '../../src/accounts/users.ts';
import { applicationTaker } from '../../src/agents/hiring/applications.ts';
import { screenSetupSaver } from '../../src/agents/hiring/screen/screens.ts';
import { screenApplication } from '../../src/agents/hiring/screening.ts';
import { hiringAgentWithJob, multipart, resumePdf } from '../../src/agents/hiring/test-support.ts';
import { testBusiness } from '../../src/agents/receptionist/test-support.ts';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import { bookingCreator } from '../../src/business/bookings.ts';
import { resourceCreator, serviceCreator } from '../../src/business/profile.ts';
import { conversationOpener } from '../../src/conversations/conversations.ts';
import { cannedReplyCreator } from '../../src/conversations/inbox.ts';
import { escalateQuestionAdder, faqCreator } from '../../src/knowledge/kb.ts';
import { agentCreator } from '../../src/runtime/agents.ts';
import { escalationReplier } from '../../src/runtime/escalations.ts';
import { registeredRoutes } from '../../src/server/http.ts';
import { PERMISSIONS } from '../../src/server/permissions.ts';
import { fakeAnthropicSettings, startFakeAnthropic } from '../fakes/anthropic.ts';
import {
  type Api,
  buildApi,
  buildApprovalAgent,
  buildScriptedAgent,
  type Method,
  type Session,
  startCheckpointRun,
  startEscalatedRun,
  startSuspendedRun,
} from '../support/api.ts';

type Params = Record<string, string>;

interface Fixture {
  /** Creates what the happy path acts on and returns its path parameters (default: the shared agent). */
  setup?: () => Promise<Params>;
  body?: unknown | (() => unknown);
  /** Headers of the happy-path request (an upload's Content-Type). */
  headers?: Record<string, string>;
  query?: string;
  /** A request that must be refused with 400. Default: an unknown body field, else an unknown query field, else a
   * malformed :id. 'none' for routes that take no input at all. */
  bad?: { params?: Params; body?: unknown; query?: string } | 'none';
  /** Long-lived responses (SSE) are checked over a real socket: status and content type, then hang up. */
  stream?: boolean;
}

const PUBLIC_ROUTES = [
  'POST /api/auth/login',
  'POST /api/auth/logout',
  'GET /api/setup',
  'POST /api/setup',
  // A resource's private calendar feed: the unguessable token in the path is the credential (calendar apps send no
  // other); tested in src/agents/receptionist/routes/bookings.test.ts.
  'GET /calendar/:file',
  // The career site's public API (src/agents/hiring/routes/public.ts; tested in routes/public.test.ts).
  'GET /api/public/careers/:agent',
  'GET /api/public/careers/:agent/jobs/:jobId',
  'POST /api/public/careers/:agent/jobs/:jobId/applications',
  'POST /api/public/careers/:agent/self-id',
  'POST /api/public/careers/:agent/review-request',
  // The phone-screen invitation page's API: the token in the body is the credential (tested in
  // src/agents/hiring/routes/screens.test.ts).
  'POST /api/public/careers/:agent/screen',
  'POST /api/public/careers/:agent/screen/book',
  'POST /api/public/careers/:agent/screen/person',
  // Invitation links: the one-time secret in the body is the credential (src/accounts/invites.test.ts).
  'POST /api/invites/lookup',
  'POST /api/invites/accept',
];

// Phrasing suggestions ask an LLM: a local fake of the Anthropic API stands in for it.
const llm = await startFakeAnthropic();
const api: Api = await buildApi({
  llm: fakeAnthropicSettings(llm, 'claude-test'),
});
const { app } = api;
const shared = await buildScriptedAgent(app);
const escalationFor = async () => ({ id: (await startEscalatedRun(app, shared)).escalationId });
const unique = () => randomUUID().slice(0, 8);
const entryFor = async () => ({
  id: (await faqCreator(app, 'test', shared.id, { title: `Entry ${unique()}`, answer: 'An answer.' })).id,
});
const support = await agentCreator(app, 'test', { kind: SUPPORT_KIND, name: `support-${unique()}` });
/** A support conversation handed to a person who has already answered: what the inbox saves to the KB. */
const answeredSupportEscalation = async () => {
  const { escalationId } = await startEscalatedRun(app, support);
  await escalationReplier(app, 'test', escalationId, 'We open at nine.');
  return { id: escalationId };
};

/** A support conversation (the Conversations view's routes act on it). */
const conversationFor = async () => ({
  id: (await conversationOpener(app, { agentId: support.id, channel: 'webchat' })).conversation.id,
});
const cannedFor = async () => ({
  id: (await cannedReplyCreator(app, 'test', { title: `Saved ${unique()}`, body: 'Thanks for writing.' })).id,
});

/** A receptionist's business (open every day 09:00–18:00, London) and a way to book distinct future slots in it. */
const desk = await testBusiness(app);
const [deskRow] = await app.db.query<{ name: string }>('SELECT name FROM agents WHERE id = $1', [
  desk.agentId,
]);
const deskAgent = async () => ({ agent: deskRow!.name });
/** The knowledge base's routes take an agent whose kind has one (the shared agent is a custom one). */
const kbAgent = async () => ({ agent: support.name });
const haircut = desk.services[0]!.id;
let slot = 0;
/** A future 10:00 in the business's zone, a new day each call (bookings never collide). */
const nextStart = () =>
  DateTime.now()
    .setZone('Europe/London')
    .plus({ days: 5 + ++slot })
    .set({ hour: 10, minute: 0, second: 0, millisecond: 0 })
    .toISO()!;
const bookedCode = async () => ({
  agent: deskRow!.name,
  code: (
    await bookingCreator(app, 'test', desk.agentId, {
      serviceId: haircut,
      start: nextStart(),
      customer: { name: 'Bo' },
      idempotencyKey: unique(),
    })
  ).code,
});
const newService = async () => ({
  id: (
    await serviceCreator(app, 'test', desk.agentId, {
      name: `Trim ${unique()}`,
      durationMin: 30,
      resourceIds: [desk.resources[0]!.id],
    })
  ).id,
});
const newResource = async () => ({
  id: (await resourceCreator(app, 'test', desk.agentId, { name: `Chair ${unique()}`, kind: 'chair' })).id,
});
const today = () => DateTime.now().setZone('Europe/London').toISODate()!;

// The MCP gateway: a server row with one quarantined tool, written directly (no outside process needed).
const MCP_FINGERPRINT = 'a'.repeat(64);
let mcpAccept: unknown;
const mcpServerFor = async () => {
  const name = `srv-${unique()}`;
  const [row] = await app.db.query<{ id: string }>(
    `INSERT INTO mcp_servers (agent_id, name, transport, command, created_by, created_at)
     VALUES ($1, $2, 'stdio', '/nonexistent/mcp-server', 'test', now()) RETURNING id`,
    [shared.id, name],
  );
  await app.db.query(
    `INSERT INTO mcp_tools (server_id, name, definition, fingerprint, status, seen_at)
     VALUES ($1, 'lookup', '{"name":"lookup"}', $2, 'quarantined', now())`,
    [row!.id, MCP_FINGERPRINT],
  );
  return { agent: shared.name, server: name };
};
/** A hiring agent with an open job, and applications to it (screened). */
const careers = await hiringAgentWithJob(app);
const careersAgent = async () => ({ agent: careers.agent.name });
const careersJob = async () => ({ id: careers.job.id });
const resume = await resumePdf();
const application = async () => {
  const taken = await applicationTaker(app, 'test', careers.job, {
    name: 'Jo',
    email: `jo-${unique()}@example.com`,
    consent: true,
    source: 'recruiter',
    file: { name: 'cv.pdf', bytes: resume },
  });
  await screenApplication(app, taken.application.id);
  return { id: taken.application.id };
};
const SCREEN_SETUP = {
  timezone: 'Europe/London',
  hours: { days: [1, 2, 3, 4, 5], open: '09:00', close: '17:00' },
};
const BOUNDARY = '----twelve-routes-test';
const bulkBody = () =>
  multipart(
    { jobId: careers.job.id },
    [{ field: 'resume', name: `cv-${unique()}.pdf`, bytes: resume }],
    BOUNDARY,
  ).body;
const longName = { params: { agent: 'x'.repeat(101) } };

const FIXTURES: Record<string, Fixture> = {
  'GET /api/auth/me': { bad: 'none' },
  'GET /api/agents': { bad: 'none' },
  'POST /api/agents': { body: () => ({ kind: 'custom', name: `made-${unique()}`, brain: 'scripted' }) },
  // A name is free-form up to 100 characters, and a longer one never reaches the route (Fastify's maxParamLength).
  'GET /api/agents/:agent': { bad: 'none' },
  'PATCH /api/agents/:agent': { body: { displayName: 'Renamed' } },
  'POST /api/agents/:agent/pause': {
    setup: async () => ({ agent: (await buildScriptedAgent(app)).name }),
    body: { reason: 'test' },
  },
  'POST /api/agents/:agent/resume': { body: { reason: 'test' } },
  'POST /api/kill-switch': { body: { engaged: false } },
  'GET /api/agents/:agent/readiness': { bad: 'none' },
  'POST /api/agents/:agent/readiness': { body: { clarity: 3, tolerance: 3, fallback: 3 } },
  'GET /api/events': { bad: 'none', stream: true },
  'GET /api/readiness/guidance': { bad: 'none' },
  'POST /api/agents/:agent/runs': { body: { text: 'hello' } },
  'GET /api/runs': { query: '?limit=5', bad: { query: '?limit=0' } },
  'GET /api/runs/:id': {
    setup: async () => ({ id: (await app.runtime.startRun(shared.id, { type: 'manual' })).id }),
  },
  'POST /api/runs/:id/checkpoint': {
    setup: async () => ({ id: (await startCheckpointRun(app)).runId }),
    body: { choice: 'close' },
  },
  'GET /api/approvals': { query: '?status=pending' },
  'POST /api/approvals/:id/approve': {
    setup: async () => ({
      id: (await startSuspendedRun(app, (await buildApprovalAgent(app)).agent)).approvalId,
    }),
    body: {},
  },
  'POST /api/approvals/:id/deny': {
    setup: async () => ({
      id: (await startSuspendedRun(app, (await buildApprovalAgent(app)).agent)).approvalId,
    }),
    body: { reason: 'not now' },
    bad: { body: { reason: '' } },
  },
  'GET /api/escalations': { query: '?state=open' },
  'GET /api/escalations/:id': { setup: escalationFor },
  'POST /api/escalations/:id/claim': { setup: escalationFor },
  'POST /api/escalations/:id/reply': { setup: escalationFor, body: { text: 'Hello, I am here.' } },
  'POST /api/escalations/:id/resolve': { setup: escalationFor, body: { resolution: 'answered' } },
  'POST /api/escalations/:id/assign': { setup: escalationFor, body: { userId: null } },
  'GET /api/escalations/csv': { query: '?state=open' },
  'GET /api/conversations': { query: '?band=low&page=1' },
  'GET /api/conversations/csv': { query: '?channel=webchat' },
  'GET /api/conversations/satisfaction': { query: '?from=2026-01-01' },
  'GET /api/conversations/:id': { setup: conversationFor, bad: { params: { id: 'not an id!' } } },
  'POST /api/conversations/:id/review': { setup: conversationFor, body: { verdict: 'ok' } },
  'GET /api/canned-replies': { bad: 'none' },
  'POST /api/canned-replies': { body: () => ({ title: `Hours ${unique()}`, body: 'We open at nine.' }) },
  'PATCH /api/canned-replies/:id': { setup: cannedFor, body: { body: 'We open at ten.' } },
  'DELETE /api/canned-replies/:id': { setup: cannedFor },
  'GET /api/teammates': { bad: 'none' },
  'GET /api/inbox/settings': { bad: 'none' },
  'PUT /api/inbox/settings': { body: { replyTargetMinutes: 45 } },
  'GET /api/agents/:agent/kb': { setup: kbAgent, bad: 'none' },
  'GET /api/agents/:agent/kb/engine': { setup: kbAgent, bad: 'none' },
  'GET /api/agents/:agent/kb/health': { setup: kbAgent, bad: 'none' },
  'POST /api/agents/:agent/kb/entries': {
    setup: kbAgent,
    body: () => ({ title: `Hours ${unique()}`, answer: 'Nine to five.' }),
  },
  'PATCH /api/kb/entries/:id': { setup: entryFor, body: { answer: 'A better answer.' } },
  'DELETE /api/kb/entries/:id': { setup: entryFor },
  'POST /api/kb/entries/:id/phrasings': { setup: entryFor, body: { phrasing: 'when do you open?' } },
  'POST /api/kb/entries/:id/phrasing-suggestions': {
    setup: async () => {
      llm.script({ text: JSON.stringify({ phrasings: ['when do you open?'] }) });
      return entryFor();
    },
    body: { count: 2 },
  },
  'GET /api/kb/entries/:id/revisions': { setup: entryFor },
  'POST /api/agents/:agent/kb/escalate-questions': {
    setup: kbAgent,
    body: () => ({ text: `do you repair cars ${unique()}` }),
  },
  'DELETE /api/kb/escalate-questions/:id': {
    setup: async () => ({
      id: (await escalateQuestionAdder(app, 'test', shared.id, { text: `do you sell cars ${unique()}` })).id,
    }),
  },
  'POST /api/agents/:agent/kb/articles': {
    setup: kbAgent,
    body: () => ({
      title: 'Returns',
      source: `returns-${unique()}.md`,
      format: 'markdown',
      content: '# Returns\n\nWithin 30 days.',
    }),
  },
  'POST /api/agents/:agent/kb/files': {
    setup: kbAgent,
    body: () => Buffer.from('# Returns\n\nWithin 30 days.'),
    headers: { 'content-type': 'text/markdown' },
    query: `?filename=returns-${unique()}.md`,
    bad: { query: '?filename=' },
  },
  'POST /api/agents/:agent/evaluations': {
    setup: async () => ({ agent: support.name }),
    body: () => Buffer.from('{"text": "when are you open", "label": "oos"}\n'),
    headers: { 'content-type': 'application/x-ndjson' },
    query: '?targetPrecision=0.9',
    bad: { query: '?targetPrecision=2' },
  },
  'GET /api/agents/:agent/evaluations/latest': { bad: 'none' },
  'POST /api/escalations/:id/to-kb': {
    setup: answeredSupportEscalation,
    body: () => ({ mode: 'new', title: `Opening ${unique()}` }),
  },
  'GET /api/audit': { query: '?limit=3' },
  'POST /api/audit/verify': {},
  'POST /api/audit/anchor': { bad: 'none' },
  'GET /api/audit/export': { bad: 'none' },
  'GET /api/users': { bad: 'none' },
  'POST /api/users': {
    body: () => ({ email: `u-${unique()}@example.com`, role: 'viewer', password: 'long-enough-password' }),
  },
  'PATCH /api/users/:id': {
    setup: async () => ({ id: (await newUser()).id }),
    body: { role: 'reviewer' },
  },
  'DELETE /api/users/:id': { setup: async () => ({ id: (await newUser()).id }) },
  'GET /api/agents/:agent/calls': { query: '?limit=5', bad: { query: '?before=yesterday' } },
  'GET /api/agents/:agent/metrics': { query: '?from=2026-01-01', bad: { query: '?from=yesterday' } },
  'GET /api/agents/:agent/metrics/csv': {
    query: '?from=2026-01-01',
    bad: { query: '?from=2026-02-01&to=2026-01-01' },
  },
  'POST /api/agents/:agent/work-log': { body: { minutes: 15, note: 'call with the owner' } },
  'GET /api/agents/:agent/business': { setup: deskAgent, bad: 'none' },
  'PUT /api/agents/:agent/business/profile': {
    setup: deskAgent,
    body: {
      timezone: 'Europe/London',
      hours: { days: [1, 2, 3, 4, 5, 6, 7], open: '09:00', close: '18:00' },
      rules: { minNoticeMin: 0, maxDaysAhead: 400, slotStepMin: 15 },
    },
  },
  'POST /api/agents/:agent/business/services': {
    setup: deskAgent,
    body: () => ({ name: `Colour ${unique()}`, durationMin: 90, resourceIds: [desk.resources[0]!.id] }),
  },
  'PATCH /api/business/services/:id': { setup: newService, body: { durationMin: 45 } },
  'DELETE /api/business/services/:id': { setup: newService },
  'POST /api/agents/:agent/business/resources': {
    setup: deskAgent,
    body: () => ({ name: `Room ${unique()}`, kind: 'room' }),
  },
  'PATCH /api/business/resources/:id': { setup: newResource, body: () => ({ name: `Renamed ${unique()}` }) },
  'DELETE /api/business/resources/:id': { setup: newResource },
  'POST /api/business/resources/:id/feed': { setup: newResource, bad: { params: { id: 'not-a-uuid' } } },
  'GET /api/agents/:agent/slots': {
    setup: deskAgent,
    query: `?service=${haircut}&from=${today()}`,
    bad: { query: `?service=${haircut}&from=tomorrow` },
  },
  'GET /api/agents/:agent/bookings': {
    setup: deskAgent,
    query: `?from=${today()}`,
    bad: { query: '?from=tomorrow' },
  },
  'GET /api/agents/:agent/bookings/:code': { setup: bookedCode, bad: { params: { code: 'no' } } },
  'POST /api/agents/:agent/bookings': {
    setup: deskAgent,
    body: () => ({ serviceId: haircut, start: nextStart(), customer: { name: 'Al' } }),
  },
  'POST /api/agents/:agent/bookings/:code/reschedule': {
    setup: bookedCode,
    body: () => ({ start: nextStart() }),
  },
  'POST /api/agents/:agent/bookings/:code/cancel': { setup: bookedCode, body: { reason: 'ill' } },
  'POST /api/agents/:agent/bookings/:code/confirm': { setup: bookedCode, body: {} },
  'GET /api/agents/:agent/jobs': { setup: careersAgent, bad: { query: '?status=bogus' } },
  'POST /api/agents/:agent/jobs': {
    setup: careersAgent,
    body: { title: 'Go Engineer', description: 'Go and PostgreSQL, 3+ years.' },
  },
  'GET /api/jobs/:id': { setup: careersJob },
  'PATCH /api/jobs/:id': { setup: careersJob, body: { threshold: 65 } },
  'POST /api/jobs/:id/rubric/propose': { setup: careersJob },
  'GET /api/jobs/:id/candidates': { setup: careersJob },
  'GET /api/jobs/:id/fairness': { setup: careersJob },
  'GET /api/jobs/:id/fairness.csv': { setup: careersJob },
  'GET /api/applications/:id': { setup: application },
  'GET /api/applications/:id/file': { setup: application },
  'POST /api/applications/:id/decisions': {
    setup: application,
    body: { decision: 'advance', reason: 'Strong TypeScript evidence' },
  },
  'POST /api/applications/:id/rescore': { setup: application },
  'POST /api/applications/:id/erase': { setup: application },
  'GET /api/agents/:agent/hiring/screen-setup': { setup: careersAgent, bad: 'none' },
  'PUT /api/agents/:agent/hiring/screen-setup': { setup: careersAgent, body: SCREEN_SETUP },
  'POST /api/applications/:id/screen/invite': {
    setup: async () => {
      await screenSetupSaver(app, 'test', careers.agent.id, SCREEN_SETUP);
      return application();
    },
    bad: { params: { id: 'not-a-uuid' } },
  },
  'GET /api/applications/:id/screen': { setup: application },
  'POST /api/agents/:agent/hiring/screen': {
    setup: careersAgent,
    body: () => bulkBody(),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    bad: longName,
  },
  'GET /api/tokens': { bad: 'none' },
  'GET /api/agents/:agent/mcp': { bad: 'none' },
  'POST /api/agents/:agent/mcp/servers': {
    body: () => ({ name: `srv-${unique()}`, command: '/nonexistent/mcp-server', timeoutMs: 2000 }),
  },
  'POST /api/agents/:agent/mcp/servers/:server/refresh': {
    setup: mcpServerFor,
    bad: { params: { server: 'Not A Name' } },
  },
  'DELETE /api/agents/:agent/mcp/servers/:server': {
    setup: mcpServerFor,
    bad: { params: { server: 'Not A Name' } },
  },
  'POST /api/agents/:agent/mcp/accept': {
    setup: async () => {
      const p = await mcpServerFor();
      mcpAccept = { server: p.server, tool: 'lookup', fingerprint: MCP_FINGERPRINT };
      return { agent: p.agent };
    },
    body: () => mcpAccept,
  },
  'POST /api/tokens': { body: { name: 'ci', role: 'viewer' } },
  'DELETE /api/tokens/:id': {
    setup: async () => ({ id: (await tokenCreator(app, 'test', { name: 'old', role: 'viewer' })).info.id }),
  },
  'GET /api/roles': { bad: 'none' },
  'GET /api/metrics/weekly': { query: '?weeks=4' },
  'GET /api/agents/:agent/kb/entries.csv': { setup: kbAgent, bad: 'none' },
  'POST /api/demo/support': { body: {} },
  'GET /api/people': { bad: 'none' },
  'GET /api/invites': { bad: 'none' },
  'POST /api/invites': { body: { role: 'viewer' } },
  'DELETE /api/invites/:id': {
    setup: async () => ({ id: (await inviteCreator(app, 'test', { role: 'viewer' })).invite.id }),
  },
};

afterAll(() => Promise.all([api.close(), llm.close()]));

const newUser = () =>
  userCreator(app, 'test', {
    email: `u-${unique()}@example.com`,
    role: 'viewer',
    password: 'Vivid-meadow-Orbits-42',
  });

const sessions = new Map<Role, Promise<Session>>();
const sessionOf = (role: Role) => {
  if (!sessions.has(role)) sessions.set(role, api.login(role));
  return sessions.get(role)!;
};

const routes = registeredRoutes(api.server);
const guarded = routes.filter((r) => r.permission !== null);
const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

function fill(url: string, params: Params): string {
  return url.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
    if (params[name] !== undefined) return encodeURIComponent(params[name]);
    return name === 'agent' ? shared.name : randomUUID();
  });
}

const bodyOf = (f: Fixture) => (typeof f.body === 'function' ? (f.body as () => unknown)() : f.body);

describe('route coverage', () => {
  it('has a fixture for every guarded route, and no fixture without a route', () => {
    const missing = guarded.map(key).filter((k) => !FIXTURES[k]);
    expect(missing, 'add a fixture for these routes in test/api/routes.test.ts').toEqual([]);
    const stale = Object.keys(FIXTURES).filter((k) => !guarded.some((r) => key(r) === k));
    expect(stale).toEqual([]);
    const noInput = guarded.filter(
      (r) => FIXTURES[key(r)]?.bad === 'none' && (r.body || r.query || r.url.includes(':id')),
    );
    expect(noInput.map(key), 'these routes take input: say how to make it bad').toEqual([]);
  });

  it('makes routes public only deliberately', () => {
    expect(routes.filter((r) => r.permission === null).map(key)).toEqual(
      expect.arrayContaining(PUBLIC_ROUTES),
    );
    expect(
      routes.filter((r) => r.permission === null && !PUBLIC_ROUTES.includes(key(r))).map(key),
      'a new public route must be added to PUBLIC_ROUTES (and get its own tests)',
    ).toEqual([]);
  });
});

describe.each(guarded.map((r) => [key(r), r] as const))('%s', (_name, r) => {
  const fixture: Fixture = FIXTURES[key(r)] ?? {};
  const allowed = PERMISSIONS[r.permission!] as readonly Role[];
  const method = r.method as Method;

  it('refuses a caller without credentials with 401 unauthorized', async () => {
    const res = await api.anon.request(method, fill(r.url, {}), r.body ? {} : undefined);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.id).toBe('unauthorized');
  });

  const outsider = [...ROLES].reverse().find((role) => !allowed.includes(role));
  it.skipIf(!outsider)(
    `refuses ${outsider ? `the ${outsider} role` : 'no role (all may)'} with 403`,
    async () => {
      const res = await api.as(outsider!).request(method, fill(r.url, {}), r.body ? {} : undefined);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.id).toBe('forbidden');
    },
  );

  it.skipIf(fixture.bad === 'none')('refuses bad input with 400', async () => {
    const bad = fixture.bad === 'none' || fixture.bad === undefined ? {} : fixture.bad;
    let url = fill(r.url, bad.params ?? {});
    let body = bad.body;
    if (bad.query) url += bad.query;
    else if (!bad.params && body === undefined) {
      if (r.body) body = { ...(bodyOf(fixture) as object), unexpected: true };
      else if (r.query) url += '?unexpected=1';
      else if (r.url.includes(':id')) url = fill(r.url, { id: 'not-a-uuid' });
      else throw new Error(`${key(r)} takes input but its fixture says how to make it bad nowhere`);
    }
    const res = await api.as(allowed[0]!).request(method, url, body ?? (r.body ? {} : undefined));
    expect(res.statusCode).toBe(400);
    expect(['validation_failed', 'invalid_json']).toContain(res.json().error.id);
  });

  it.skipIf(method === 'GET')('refuses a cookie session without the CSRF header with 403', async () => {
    const session = await sessionOf(allowed[0]!);
    const res = await session.clientWithoutCsrf.request(method, fill(r.url, {}), r.body ? {} : undefined);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.id).toBe('csrf_failed');
  });

  it('answers the least-privileged allowed role with 2xx', async () => {
    const role = allowed[allowed.length - 1]!;
    const params = fixture.setup ? await fixture.setup() : {};
    const url = fill(r.url, params) + (fixture.query ?? '');
    if (fixture.stream) {
      const base = await api.server.listen({ port: 0, host: '127.0.0.1' });
      // node:http rather than fetch: an aborted fetch leaves its socket open, and server.close() then waits for
      // the keep-alive timeout (72 s).
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = httpRequest(
          base + url,
          { headers: { authorization: `Bearer ${api.tokens[role]}` } },
          resolve,
        );
        req.on('error', reject);
        req.end();
      });
      res.destroy();
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      return;
    }
    const res = await api
      .as(role)
      .request(method, url, bodyOf(fixture) ?? (r.body ? {} : undefined), fixture.headers);
    expect(res.statusCode, res.body).toBe(r.status);
  });
});

describe('OpenAPI', () => {
  it('lists every registered path and method', async () => {
    const doc = (await api.anon.get('/api/openapi.json')).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const r of routes) {
      const path = r.url.replace(/:([a-zA-Z]+)/g, '{$1}');
      expect(doc.paths[path]?.[r.method.toLowerCase()], key(r)).toBeDefined();
    }
  });
});
