// The receptionist over HTTP: the business profile (profile, services, resources, a resource's private calendar
// feed URL), free slots, and bookings (list by range and resource, book, move, cancel, confirm a tentative one, a
// booking as .ics). Every change goes through the profile.ts and bookings.ts commands (validated, audited,
// idempotent); the calendar feed (GET /calendar/<token>.ics) is public: its unguessable token is the credential.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  bookingByCode,
  bookingCanceller,
  bookingCreator,
  bookingRescheduler,
  confirmBooking,
  listBookings,
  localIso,
  localRange,
  MAX_SEARCH_DAYS,
  requireBookable,
  searchSlots,
  slotPresenter,
} from '../../../business/bookings.ts';
import {
  type BusinessProfile,
  type BusinessResource,
  type BusinessService,
  feedTokenIssuer,
  getProfile,
  getResource,
  getService,
  listResources,
  listServices,
  ProfileInputSchema,
  profileSaver,
  ResourceInputSchema,
  ResourcePatchSchema,
  resourceArchiver,
  resourceCreator,
  resourceUpdater,
  ServiceInputSchema,
  ServicePatchSchema,
  serviceArchiver,
  serviceCreator,
  serviceUpdater,
} from '../../../business/profile.ts';
import { AppError } from '../../../errors.ts';
import { findAgent } from '../../../runtime/agents.ts';
import { AgentParam, type Principal, route, UuidParam } from '../../../server/http.ts';
import { authorize } from '../../../server/permissions.ts';
import type { KindContext } from '../../kind.ts';
import { bookingIcs, resourceFeed } from '../calendar.ts';
import type { Booking } from '../model.ts';

export const RECEPTIONIST_KIND = 'receptionist';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const CodeParams = AgentParam.extend({
  code: z.string().regex(/^[A-Za-z0-9]{6}$/, 'a 6-character booking code'),
}).strict();
const CodeFileParams = AgentParam.extend({
  code: z.string().regex(/^[A-Za-z0-9]{6}(\.ics)?$/, 'a 6-character booking code, or CODE.ics'),
}).strict();
const SlotQuery = z
  .object({
    service: z.string().uuid(),
    from: Day,
    to: Day.optional(),
    resource: z.string().uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(20),
  })
  .strict();
const BookingsQuery = z
  .object({
    from: Day,
    to: Day.optional(),
    resource: z.string().uuid().optional(),
    cancelled: z.enum(['true', 'false']).default('false'),
  })
  .strict();
const BookBody = z
  .object({
    serviceId: z.string().uuid(),
    resourceId: z.string().uuid().optional(),
    start: z.string(),
    customer: z.unknown(),
    status: z.enum(['confirmed', 'tentative']).optional(),
  })
  .strict();
const MoveBody = z.object({ start: z.string(), resourceId: z.string().uuid().optional() }).strict();
const CancelBody = z.object({ reason: z.string().max(500).optional() }).strict();
const FeedParams = z.object({ file: z.string().regex(/^[A-Za-z0-9_-]{43}\.ics$/, 'TOKEN.ics') }).strict();

/** The receptionist agent named in the path (404 for an agent of another kind). */
async function receptionist(app: KindContext, name: string) {
  const agent = await findAgent(app.db, name);
  if (agent.kind !== RECEPTIONIST_KIND)
    throw new AppError('not_found', `${agent.name} is not a receptionist`);
  return agent;
}

/** The idempotency key of a command: the Idempotency-Key header (a retried request books once), else a fresh one. */
function keyOf(req: FastifyRequest): string {
  const header = req.headers['idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (key !== undefined && (key.length < 1 || key.length > 200))
    throw new AppError('validation_failed', 'the Idempotency-Key header is 1 to 200 characters');
  return key ?? randomUUID();
}

export function presentProfile(p: BusinessProfile) {
  return { timezone: p.timezone, hours: p.hours, rules: p.rules, updatedAt: p.updatedAt.toISOString() };
}

export const presentService = (s: BusinessService) => s;
export const presentResource = (r: BusinessResource) => r;

export function presentBooking(b: Booking, timezone: string) {
  return {
    id: b.id,
    code: b.code,
    serviceId: b.serviceId,
    resourceId: b.resourceId,
    start: b.start.toISOString(),
    end: b.end.toISOString(),
    localStart: localIso(b.start, timezone),
    localEnd: localIso(b.end, timezone),
    status: b.status,
    customer: b.customer,
    channel: b.channel,
    conversationId: b.conversationId,
    createdAt: b.createdAt.toISOString(),
  };
}

async function serviceOfAgent(app: KindContext, id: string) {
  const service = await getService(app.db, id);
  return { service, agent: await receptionist(app, service.agentId) };
}

async function resourceOfAgent(app: KindContext, id: string) {
  const resource = await getResource(app.db, id);
  return { resource, agent: await receptionist(app, resource.agentId) };
}

export function registerReceptionistRoutes(server: FastifyInstance, app: KindContext): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/business',
      summary: "A receptionist's business: profile (time zone, week, rules), services and resources",
      tags: ['receptionist'],
      permission: 'business.read',
      params: AgentParam,
    },
    async ({ params }) => {
      const agent = await receptionist(app, params.agent);
      const [profile, services, resources] = await Promise.all([
        getProfile(app.db, agent.id),
        listServices(app.db, agent.id),
        listResources(app.db, agent.id),
      ]);
      return {
        profile: profile && presentProfile(profile),
        services: services.map(presentService),
        resources: resources.map(presentResource),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'PUT',
      url: '/api/agents/:agent/business/profile',
      summary: 'Saves the business profile (time zone, week and closed dates, booking rules)',
      tags: ['receptionist'],
      permission: 'business.write',
      params: AgentParam,
      body: ProfileInputSchema,
    },
    async ({ params, body, principal }) => {
      const agent = await receptionist(app, params.agent);
      return { profile: presentProfile(await profileSaver(app, principal.actor, agent.id, body)) };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/business/services',
      summary: 'Adds a service (duration, price, buffers, the resources that do it)',
      tags: ['receptionist'],
      permission: 'business.write',
      params: AgentParam,
      body: ServiceInputSchema,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const agent = await receptionist(app, params.agent);
      return { service: await serviceCreator(app, principal.actor, agent.id, body) };
    },
  );

  route(
    server,
    app,
    {
      method: 'PATCH',
      url: '/api/business/services/:id',
      summary: 'Changes a service',
      tags: ['receptionist'],
      permission: 'business.write',
      params: UuidParam,
      body: ServicePatchSchema,
    },
    async ({ params, body, principal }) => {
      await serviceOfAgent(app, params.id);
      return { service: await serviceUpdater(app, principal.actor, params.id, body) };
    },
  );

  route(
    server,
    app,
    {
      method: 'DELETE',
      url: '/api/business/services/:id',
      summary: 'Archives a service (no longer bookable; its bookings keep it)',
      tags: ['receptionist'],
      permission: 'business.write',
      params: UuidParam,
    },
    async ({ params, principal }) => {
      await serviceOfAgent(app, params.id);
      return { service: await serviceArchiver(app, principal.actor, params.id) };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/business/resources',
      summary: 'Adds a resource (a person, chair or room) with its own week and time off',
      tags: ['receptionist'],
      permission: 'business.write',
      params: AgentParam,
      body: ResourceInputSchema,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const agent = await receptionist(app, params.agent);
      return { resource: await resourceCreator(app, principal.actor, agent.id, body) };
    },
  );

  route(
    server,
    app,
    {
      method: 'PATCH',
      url: '/api/business/resources/:id',
      summary: 'Changes a resource (name, kind, week, time off)',
      tags: ['receptionist'],
      permission: 'business.write',
      params: UuidParam,
      body: ResourcePatchSchema,
    },
    async ({ params, body, principal }) => {
      await resourceOfAgent(app, params.id);
      return { resource: await resourceUpdater(app, principal.actor, params.id, body) };
    },
  );

  route(
    server,
    app,
    {
      method: 'DELETE',
      url: '/api/business/resources/:id',
      summary: 'Archives a resource (no new bookings; its calendar feed stops)',
      tags: ['receptionist'],
      permission: 'business.write',
      params: UuidParam,
    },
    async ({ params, principal }) => {
      await resourceOfAgent(app, params.id);
      return { resource: await resourceArchiver(app, principal.actor, params.id) };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/business/resources/:id/feed',
      summary: "Issues a resource's private calendar feed URL (replacing any earlier one); shown once",
      tags: ['receptionist'],
      permission: 'business.write',
      params: UuidParam,
      status: 201,
    },
    async ({ params, principal }) => {
      await resourceOfAgent(app, params.id);
      const token = await feedTokenIssuer(app, principal.actor, params.id);
      return { path: `/calendar/${token}.ics` };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/calendar/:file',
      summary: "A resource's bookings as an iCalendar feed (the URL's token is the credential)",
      tags: ['receptionist'],
      permission: null,
      params: FeedParams,
    },
    async ({ params, reply }) => {
      const feed = await resourceFeed(app.db, params.file.slice(0, -4), app.clock.now());
      if (feed === null) throw new AppError('not_found', 'no such calendar');
      reply.header('cache-control', 'private, max-age=300');
      reply.type('text/calendar; charset=utf-8').send(feed);
      return reply;
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/slots',
      summary: 'Free times for a service on a day or range (local dates), optionally with one resource',
      tags: ['receptionist'],
      permission: 'bookings.read',
      params: AgentParam,
      query: SlotQuery,
    },
    async ({ params, query }) => {
      const agent = await receptionist(app, params.agent);
      const profile = await requireBookable(app.db, agent.id);
      const slots = await searchSlots(app.db, agent.id, app.clock.now(), {
        serviceId: query.service,
        from: query.from,
        to: query.to,
        resourceId: query.resource,
        limit: query.limit,
      });
      return { timezone: profile.timezone, slots: slots.map(slotPresenter(profile.timezone)) };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/bookings',
      summary: `Bookings starting on a local day or range (at most ${MAX_SEARCH_DAYS} days), optionally of one resource`,
      tags: ['receptionist'],
      permission: 'bookings.read',
      params: AgentParam,
      query: BookingsQuery,
    },
    async ({ params, query }) => {
      const agent = await receptionist(app, params.agent);
      const profile = await requireBookable(app.db, agent.id);
      const to = query.to ?? query.from;
      if (to < query.from) throw new AppError('validation_failed', 'the range ends before it starts');
      const range = localRange(query.from, to, profile.timezone);
      if (range.to.getTime() - range.from.getTime() > (MAX_SEARCH_DAYS + 1) * 86_400_000)
        throw new AppError('validation_failed', `list at most ${MAX_SEARCH_DAYS} days at once`);
      const bookings = await listBookings(app.db, agent.id, {
        ...range,
        resourceId: query.resource,
        includeCancelled: query.cancelled === 'true',
        limit: 5000,
      });
      return {
        timezone: profile.timezone,
        bookings: bookings.map((b) => presentBooking(b, profile.timezone)),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/bookings/:code',
      summary: 'One booking by its code; CODE.ics answers it as an iCalendar file',
      tags: ['receptionist'],
      permission: 'bookings.read',
      params: CodeFileParams,
    },
    async ({ params, reply }) => {
      const agent = await receptionist(app, params.agent);
      const profile = await requireBookable(app.db, agent.id);
      const ics = params.code.endsWith('.ics');
      const booking = await bookingByCode(app.db, agent.id, params.code.slice(0, 6));
      if (!ics) return { booking: presentBooking(booking, profile.timezone) };
      const [service, resource] = await Promise.all([
        getService(app.db, booking.serviceId),
        getResource(app.db, booking.resourceId),
      ]);
      reply.header('content-disposition', `attachment; filename="${booking.code}.ics"`);
      reply.type('text/calendar; charset=utf-8').send(
        bookingIcs(booking, {
          service: service.name,
          resource: resource.name,
          business: agent.displayName,
        }),
      );
      return reply;
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/bookings',
      summary: 'Books a free time (Idempotency-Key header: a retried request books once)',
      tags: ['receptionist'],
      permission: 'bookings.write',
      params: AgentParam,
      body: BookBody,
      status: 201,
    },
    async ({ params, body, principal, req }) => {
      const agent = await receptionist(app, params.agent);
      const profile = await requireBookable(app.db, agent.id);
      const booking = await bookingCreator(app, principal.actor, agent.id, {
        ...(body as Omit<typeof body, 'customer'>),
        customer: body.customer as { name: string },
        channel: 'dashboard',
        idempotencyKey: keyOf(req),
      });
      return { booking: presentBooking(booking, profile.timezone) };
    },
  );

  const byCode = (
    url: string,
    summary: string,
    run: (
      agentId: string,
      actor: string,
      code: string,
      body: never,
      key: string,
      role: Principal['role'],
    ) => Promise<Booking>,
    body: z.ZodType,
  ) =>
    route(
      server,
      app,
      {
        method: 'POST',
        url,
        summary,
        tags: ['receptionist'],
        permission: 'bookings.write',
        params: CodeParams,
        body,
      },
      async ({ params, body, principal, req }) => {
        const agent = await receptionist(app, params.agent);
        const profile = await requireBookable(app.db, agent.id);
        const booking = await run(
          agent.id,
          principal.actor,
          params.code,
          body as never,
          keyOf(req),
          principal.role,
        );
        return { booking: presentBooking(booking, profile.timezone) };
      },
    );

  byCode(
    '/api/agents/:agent/bookings/:code/reschedule',
    'Moves a booking to another free time (and maybe resource)',
    (agentId, actor, code, body: z.infer<typeof MoveBody>, idempotencyKey) =>
      bookingRescheduler(app, actor, agentId, { code, ...body, idempotencyKey }),
    MoveBody,
  );
  // A tentative booking the agent holds for a pending approval (pilot) is confirmed or declined through that
  // approval: the run resumes and tells the customer on their channel; the approval's tool call confirms the hold,
  // a denial releases it. Without a pending approval (a hold made on the dashboard), the booking is set directly.
  const viaApproval = async (
    agentId: string,
    actor: string,
    code: string,
    role: Principal['role'],
    decision: 'approve' | 'deny',
    reason = '',
  ): Promise<Booking | null> => {
    const booking = await bookingByCode(app.db, agentId, code);
    if (booking.status !== 'tentative') return null;
    const [pending] = await app.db.query<{ id: string }>(
      `SELECT a.id FROM booking_requests r JOIN tool_calls t ON t.idempotency_key = r.idempotency_key
       JOIN approvals a ON a.tool_call_id = t.id
       WHERE r.agent_id = $1 AND r.booking_id = $2 AND r.operation = 'create' AND a.agent_id = $1
         AND a.status = 'pending'`,
      [agentId, booking.id],
    );
    if (!pending) return null;
    authorize(role, 'approvals.decide');
    await app.runtime.decideApproval(pending.id, decision, actor, reason);
    return bookingByCode(app.db, agentId, code);
  };
  byCode(
    '/api/agents/:agent/bookings/:code/cancel',
    'Cancels a booking (its time is free again); a tentative one held for an approval declines that approval',
    async (agentId, actor, code, body: z.infer<typeof CancelBody>, idempotencyKey, role) =>
      (await viaApproval(agentId, actor, code, role, 'deny', body.reason ?? 'declined on the calendar')) ??
      bookingCanceller(app, actor, agentId, { code, ...body, idempotencyKey }),
    CancelBody,
  );
  byCode(
    '/api/agents/:agent/bookings/:code/confirm',
    'Confirms a tentative booking (pilot: a person confirms what the agent held, approving its approval)',
    async (agentId, actor, code, _body: z.infer<typeof CancelBody>, idempotencyKey, role) =>
      (await viaApproval(agentId, actor, code, role, 'approve')) ??
      confirmBooking(app, actor, agentId, { code, idempotencyKey }),
    z.object({}).strict(),
  );
}
