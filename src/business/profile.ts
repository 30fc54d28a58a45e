// A business's profile, shared by the agents that book for it (the receptionist today): its time zone, week and
// closed dates (the business-hours format of hours.ts), its booking rules (minimum notice, the furthest day
// bookable, the slot step, when reminders go out), its services (duration, price, buffers, who can do them) and
// its resources (staff, chairs, rooms) with their own week and time off. Kept in tables (migration 019), so
// services, resources and bookings refer to each other by id. Every save is validated (a bad setting is refused
// naming its field: validation_failed with the path) and audited on the agent's stream in the same transaction.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Queryable } from '../store/db.ts';
import { BusinessHoursSchema } from './hours.schema.ts';
import { type BusinessHours, isCalendarDate } from './hours.ts';

export interface BookingRules {
  /** A booking starts at least this many minutes after it is made. */
  minNoticeMin: number;
  /** The furthest local day bookable, counted from today. */
  maxDaysAhead: number;
  /** Offered start times are this many minutes apart, from opening. */
  slotStepMin: number;
  /** A reminder goes out this many hours before an appointment (0: none). */
  reminderHours: number;
}

export interface BusinessProfile {
  agentId: string;
  timezone: string;
  /** The week and closed dates (hours.ts format); `timezone` is the profile's. */
  hours: BusinessHours;
  rules: BookingRules;
  updatedAt: Date;
}

export interface TimeOff {
  /** Local wall-clock date-time in the business's time zone, YYYY-MM-DDTHH:MM. */
  from: string;
  to: string;
  note?: string | undefined;
}

export type ResourceKind = 'staff' | 'chair' | 'room' | 'equipment';

export interface BusinessResource {
  id: string;
  agentId: string;
  name: string;
  kind: ResourceKind;
  /** Its own week (hours.ts format, no time zone); null: the business's. */
  hours: BusinessHours | null;
  timeOff: TimeOff[];
  /** Whether a private calendar feed URL has been issued. */
  hasFeed: boolean;
  archived: boolean;
}

export interface BusinessService {
  id: string;
  agentId: string;
  name: string;
  durationMin: number;
  priceCents: number | null;
  bufferBeforeMin: number;
  bufferAfterMin: number;
  resourceIds: string[];
  archived: boolean;
}

export const DEFAULT_RULES: BookingRules = {
  minNoticeMin: 60,
  maxDaysAhead: 60,
  slotStepMin: 15,
  reminderHours: 24,
};

const RulesSchema = z
  .object({
    minNoticeMin: z.number().int().min(0).max(43_200),
    maxDaysAhead: z.number().int().min(1).max(730),
    slotStepMin: z.number().int().min(5).max(240),
    reminderHours: z.number().int().min(0).max(336),
  })
  .strict();

export const ProfileInputSchema = z
  .object({
    timezone: z.string().min(1).max(64),
    hours: z.record(z.string(), z.unknown()),
    rules: RulesSchema.partial().default({}),
  })
  .strict();
export type ProfileInput = z.input<typeof ProfileInputSchema>;

const LOCAL_DATETIME = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/, 'YYYY-MM-DDTHH:MM (local, 24-hour)')
  .refine((s) => isCalendarDate(s.slice(0, 10)), 'not a calendar date');

const TimeOffSchema = z
  .object({ from: LOCAL_DATETIME, to: LOCAL_DATETIME, note: z.string().trim().max(200).optional() })
  .strict()
  .refine((t) => t.from < t.to, { message: 'to must be after from', path: ['to'] });

const Name = z.string().trim().min(1).max(100);
const ResourceKindSchema = z.enum(['staff', 'chair', 'room', 'equipment']);

export const ResourceInputSchema = z
  .object({
    name: Name,
    kind: ResourceKindSchema.default('staff'),
    hours: z.record(z.string(), z.unknown()).nullable().default(null),
    timeOff: z.array(TimeOffSchema).max(500).default([]),
  })
  .strict();
export type ResourceInput = z.input<typeof ResourceInputSchema>;
export const ResourcePatchSchema = z
  .object({
    name: Name,
    kind: ResourceKindSchema,
    hours: z.record(z.string(), z.unknown()).nullable(),
    timeOff: z.array(TimeOffSchema).max(500),
  })
  .partial()
  .strict();
export type ResourcePatch = z.input<typeof ResourcePatchSchema>;

export const ServiceInputSchema = z
  .object({
    name: Name,
    durationMin: z.number().int().min(5).max(720),
    priceCents: z.number().int().min(0).max(100_000_000).nullable().default(null),
    bufferBeforeMin: z.number().int().min(0).max(240).default(0),
    bufferAfterMin: z.number().int().min(0).max(240).default(0),
    resourceIds: z.array(z.string().uuid()).min(1).max(200),
  })
  .strict();
export type ServiceInput = z.input<typeof ServiceInputSchema>;
export const ServicePatchSchema = z
  .object({
    name: Name,
    durationMin: z.number().int().min(5).max(720),
    priceCents: z.number().int().min(0).max(100_000_000).nullable(),
    bufferBeforeMin: z.number().int().min(0).max(240),
    bufferAfterMin: z.number().int().min(0).max(240),
    resourceIds: z.array(z.string().uuid()).min(1).max(200),
  })
  .partial()
  .strict();
export type ServicePatch = z.input<typeof ServicePatchSchema>;

type Issue = { path: PropertyKey[]; message: string };

function refuse(issues: Issue[], message = 'the business profile is not valid'): never {
  throw new AppError(
    'validation_failed',
    message,
    issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  );
}

function parse<T>(schema: z.ZodType<T>, input: unknown, prefix: PropertyKey[] = []): T {
  const r = schema.safeParse(input);
  if (!r.success) refuse(r.error.issues.map((i) => ({ path: [...prefix, ...i.path], message: i.message })));
  return r.data;
}

/** A week (hours.ts format) checked against the time zone it will be read in; it must open on some day. */
function parseWeek(raw: Record<string, unknown>, timezone: string, path: string): BusinessHours {
  for (const key of ['timezone', 'replyTime'])
    if (key in raw)
      refuse([{ path: [path, key], message: "a week takes the profile's time zone and no reply text" }]);
  const full = parse(BusinessHoursSchema, { ...raw, timezone }, [path]);
  const opens = full.hours
    ? Object.values(full.hours).some(Boolean)
    : Boolean(full.days?.length && full.open);
  if (!opens)
    refuse([{ path: [path], message: 'the week opens on no day: give hours, or days with open and close' }]);
  const { timezone: _tz, ...rest } = full;
  return rest;
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rows

export function presentProfileRow(r: Record<string, unknown>): BusinessProfile {
  return {
    agentId: String(r.agent_id),
    timezone: String(r.timezone),
    hours: r.hours as BusinessHours,
    rules: {
      minNoticeMin: Number(r.min_notice_min),
      maxDaysAhead: Number(r.max_days_ahead),
      slotStepMin: Number(r.slot_step_min),
      reminderHours: Number(r.reminder_hours),
    },
    updatedAt: r.updated_at as Date,
  };
}

function presentResourceRow(r: Record<string, unknown>): BusinessResource {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    name: String(r.name),
    kind: r.kind as ResourceKind,
    hours: (r.hours as BusinessHours | null) ?? null,
    timeOff: r.time_off as TimeOff[],
    hasFeed: r.feed_hash !== null && r.feed_hash !== undefined,
    archived: Boolean(r.archived),
  };
}

function presentServiceRow(r: Record<string, unknown>): BusinessService {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    name: String(r.name),
    durationMin: Number(r.duration_min),
    priceCents: r.price_cents === null ? null : Number(r.price_cents),
    bufferBeforeMin: Number(r.buffer_before_min),
    bufferAfterMin: Number(r.buffer_after_min),
    resourceIds: ((r.resource_ids as string[] | null) ?? []).map(String).sort(),
    archived: Boolean(r.archived),
  };
}

const SERVICE_SELECT = `SELECT s.*, COALESCE((SELECT array_agg(sr.resource_id::text) FROM business_service_resources sr
  JOIN business_resources r ON r.id = sr.resource_id AND NOT r.archived WHERE sr.service_id = s.id), '{}') AS resource_ids
  FROM business_services s`;

// ---------------------------------------------------------------------------------------------------------------
// Reads

export async function getProfile(q: Queryable, agentId: string): Promise<BusinessProfile | null> {
  const [row] = await q.query('SELECT * FROM business_profiles WHERE agent_id = $1', [agentId]);
  return row ? presentProfileRow(row) : null;
}

/** The profile, or 409 invalid_state: nothing is bookable before the business says when it is open. */
export async function requireProfile(q: Queryable, agentId: string): Promise<BusinessProfile> {
  const profile = await getProfile(q, agentId);
  if (!profile)
    throw new AppError('invalid_state', 'the business profile is not set up yet (time zone and hours)');
  return profile;
}

export async function listResources(
  q: Queryable,
  agentId: string,
  options: { archived?: boolean } = {},
): Promise<BusinessResource[]> {
  const rows = await q.query(
    `SELECT * FROM business_resources WHERE agent_id = $1 ${options.archived ? '' : 'AND NOT archived'} ORDER BY lower(name), id`,
    [agentId],
  );
  return rows.map(presentResourceRow);
}

export async function listServices(
  q: Queryable,
  agentId: string,
  options: { archived?: boolean } = {},
): Promise<BusinessService[]> {
  const rows = await q.query(
    `${SERVICE_SELECT} WHERE s.agent_id = $1 ${options.archived ? '' : 'AND NOT s.archived'} ORDER BY lower(s.name), s.id`,
    [agentId],
  );
  return rows.map(presentServiceRow);
}

export async function getService(q: Queryable, id: string): Promise<BusinessService> {
  const [row] = await q.query(`${SERVICE_SELECT} WHERE s.id = $1`, [id]);
  if (!row) throw new AppError('not_found', 'no such service');
  return presentServiceRow(row);
}

export async function getResource(q: Queryable, id: string): Promise<BusinessResource> {
  const [row] = await q.query('SELECT * FROM business_resources WHERE id = $1', [id]);
  if (!row) throw new AppError('not_found', 'no such resource');
  return presentResourceRow(row);
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

async function audit(
  svc: Services,
  tx: Queryable,
  actor: Actor,
  agentId: string,
  action: string,
  subject: string,
  payload: unknown,
) {
  await svc.audit.append({ stream: `agent:${agentId}`, actor, action, subject, payload }, tx);
}

/** Saves (creates or replaces) the agent's profile; rules left out keep their value (or the default). */
export async function profileSaver(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: ProfileInput,
): Promise<BusinessProfile> {
  const data = parse(ProfileInputSchema, input);
  if (!validZone(data.timezone))
    refuse([{ path: ['timezone'], message: 'an IANA time zone, e.g. Europe/London' }]);
  const hours = parseWeek(data.hours, data.timezone, 'hours');
  return svc.db.transaction(async (tx) => {
    const current = await getProfile(tx, agentId);
    const rules = { ...(current?.rules ?? DEFAULT_RULES), ...data.rules };
    const [row] = await tx.query(
      `INSERT INTO business_profiles (agent_id, timezone, hours, min_notice_min, max_days_ahead, slot_step_min, reminder_hours, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (agent_id) DO UPDATE SET timezone = EXCLUDED.timezone, hours = EXCLUDED.hours,
         min_notice_min = EXCLUDED.min_notice_min, max_days_ahead = EXCLUDED.max_days_ahead,
         slot_step_min = EXCLUDED.slot_step_min, reminder_hours = EXCLUDED.reminder_hours, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [
        agentId,
        data.timezone,
        JSON.stringify(hours),
        rules.minNoticeMin,
        rules.maxDaysAhead,
        rules.slotStepMin,
        rules.reminderHours,
        svc.clock.now(),
      ],
    );
    const profile = presentProfileRow(row!);
    await audit(svc, tx, actor, agentId, 'business.profile_saved', `business:${agentId}`, {
      timezone: profile.timezone,
      hours: profile.hours,
      rules: profile.rules,
    });
    return profile;
  });
}

async function checkResourceIds(tx: Queryable, agentId: string, ids: string[]): Promise<void> {
  const rows = await tx.query<{ id: string }>(
    'SELECT id::text AS id FROM business_resources WHERE agent_id = $1 AND NOT archived AND id = ANY($2::uuid[])',
    [agentId, ids],
  );
  const known = new Set(rows.map((r) => r.id));
  const issues = ids.flatMap((id, i) =>
    known.has(id) ? [] : [{ path: ['resourceIds', i], message: 'no such resource of this business' }],
  );
  if (issues.length) refuse(issues);
}

function uniqueName(err: unknown, what: string): never {
  if ((err as { code?: string }).code === '23505')
    refuse([{ path: ['name'], message: `another ${what} of this business has this name` }]);
  throw err;
}

export async function resourceCreator(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: ResourceInput,
): Promise<BusinessResource> {
  const data = parse(ResourceInputSchema, input);
  return svc.db.transaction(async (tx) => {
    const profile = await requireProfile(tx, agentId);
    const hours = data.hours ? parseWeek(data.hours, profile.timezone, 'hours') : null;
    const [row] = await tx
      .query(
        `INSERT INTO business_resources (agent_id, name, kind, hours, time_off, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING *`,
        [
          agentId,
          data.name,
          data.kind,
          hours ? JSON.stringify(hours) : null,
          JSON.stringify(data.timeOff),
          svc.clock.now(),
        ],
      )
      .catch((err) => uniqueName(err, 'resource'));
    const resource = presentResourceRow(row!);
    await audit(svc, tx, actor, agentId, 'business.resource_created', `resource:${resource.id}`, {
      name: resource.name,
      kind: resource.kind,
    });
    return resource;
  });
}

export async function resourceUpdater(
  svc: Services,
  actor: Actor,
  id: string,
  patch: ResourcePatch,
): Promise<BusinessResource> {
  const data = parse(ResourcePatchSchema, patch);
  return svc.db.transaction(async (tx) => {
    const current = await getResource(tx, id);
    if (current.archived) throw new AppError('invalid_state', 'the resource is archived');
    const profile = await requireProfile(tx, current.agentId);
    const hours =
      data.hours === undefined
        ? current.hours
        : data.hours && parseWeek(data.hours, profile.timezone, 'hours');
    const [row] = await tx
      .query(
        `UPDATE business_resources SET name = $2, kind = $3, hours = $4, time_off = $5, updated_at = $6 WHERE id = $1 RETURNING *`,
        [
          id,
          data.name ?? current.name,
          data.kind ?? current.kind,
          hours ? JSON.stringify(hours) : null,
          JSON.stringify(data.timeOff ?? current.timeOff),
          svc.clock.now(),
        ],
      )
      .catch((err) => uniqueName(err, 'resource'));
    const resource = presentResourceRow(row!);
    await audit(svc, tx, actor, resource.agentId, 'business.resource_updated', `resource:${id}`, {
      changed: Object.keys(data),
    });
    return resource;
  });
}

/** Archives a resource: no new bookings; existing ones keep pointing at it (history stays whole). */
export async function resourceArchiver(svc: Services, actor: Actor, id: string): Promise<BusinessResource> {
  return svc.db.transaction(async (tx) => {
    const current = await getResource(tx, id);
    const [row] = await tx.query(
      'UPDATE business_resources SET archived = true, feed_hash = NULL, updated_at = $2 WHERE id = $1 RETURNING *',
      [id, svc.clock.now()],
    );
    await audit(svc, tx, actor, current.agentId, 'business.resource_archived', `resource:${id}`, {});
    return presentResourceRow(row!);
  });
}

export const feedHash = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Issues (or replaces) a resource's private calendar feed token: 32 random bytes, shown once; only its hash is
 * kept, so a leaked database does not leak subscribable URLs. Replacing it ends the old URL.
 */
export async function feedTokenIssuer(svc: Services, actor: Actor, id: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await svc.db.transaction(async (tx) => {
    const current = await getResource(tx, id);
    if (current.archived) throw new AppError('invalid_state', 'the resource is archived');
    await tx.query('UPDATE business_resources SET feed_hash = $2, updated_at = $3 WHERE id = $1', [
      id,
      feedHash(token),
      svc.clock.now(),
    ]);
    await audit(svc, tx, actor, current.agentId, 'business.resource_feed_issued', `resource:${id}`, {});
  });
  return token;
}

async function linkResources(tx: Queryable, serviceId: string, ids: string[]) {
  await tx.query('DELETE FROM business_service_resources WHERE service_id = $1', [serviceId]);
  await tx.query(
    'INSERT INTO business_service_resources (service_id, resource_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING',
    [serviceId, ids],
  );
}

export async function serviceCreator(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: ServiceInput,
): Promise<BusinessService> {
  const data = parse(ServiceInputSchema, input);
  return svc.db.transaction(async (tx) => {
    await requireProfile(tx, agentId);
    await checkResourceIds(tx, agentId, data.resourceIds);
    const [row] = await tx
      .query<{ id: string }>(
        `INSERT INTO business_services (agent_id, name, duration_min, price_cents, buffer_before_min, buffer_after_min, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
        [
          agentId,
          data.name,
          data.durationMin,
          data.priceCents,
          data.bufferBeforeMin,
          data.bufferAfterMin,
          svc.clock.now(),
        ],
      )
      .catch((err) => uniqueName(err, 'service'));
    await linkResources(tx, row!.id, data.resourceIds);
    const service = await getService(tx, row!.id);
    await audit(svc, tx, actor, agentId, 'business.service_created', `service:${service.id}`, {
      name: service.name,
      durationMin: service.durationMin,
      resourceIds: service.resourceIds,
    });
    return service;
  });
}

export async function serviceUpdater(
  svc: Services,
  actor: Actor,
  id: string,
  patch: ServicePatch,
): Promise<BusinessService> {
  const data = parse(ServicePatchSchema, patch);
  return svc.db.transaction(async (tx) => {
    const current = await getService(tx, id);
    if (current.archived) throw new AppError('invalid_state', 'the service is archived');
    if (data.resourceIds) await checkResourceIds(tx, current.agentId, data.resourceIds);
    await tx
      .query(
        `UPDATE business_services SET name = $2, duration_min = $3, price_cents = $4, buffer_before_min = $5,
           buffer_after_min = $6, updated_at = $7 WHERE id = $1`,
        [
          id,
          data.name ?? current.name,
          data.durationMin ?? current.durationMin,
          data.priceCents === undefined ? current.priceCents : data.priceCents,
          data.bufferBeforeMin ?? current.bufferBeforeMin,
          data.bufferAfterMin ?? current.bufferAfterMin,
          svc.clock.now(),
        ],
      )
      .catch((err) => uniqueName(err, 'service'));
    if (data.resourceIds) await linkResources(tx, id, data.resourceIds);
    const service = await getService(tx, id);
    await audit(svc, tx, actor, current.agentId, 'business.service_updated', `service:${id}`, {
      changed: Object.keys(data),
    });
    return service;
  });
}

/** Archives a service: no longer offered or bookable; its bookings keep it. */
export async function serviceArchiver(svc: Services, actor: Actor, id: string): Promise<BusinessService> {
  return svc.db.transaction(async (tx) => {
    const current = await getService(tx, id);
    await tx.query('UPDATE business_services SET archived = true, updated_at = $2 WHERE id = $1', [
      id,
      svc.clock.now(),
    ]);
    await audit(svc, tx, actor, current.agentId, 'business.service_archived', `service:${id}`, {});
    return { ...current, archived: true };
  });
}
