// Availability and bookings, a platform module: the commands every kind that books uses (the receptionist's tools,
// routes, dashboard and the voice channel through its tools; the hiring agent's phone-screen invitations). Free slots come from the business profile (src/business/profile.ts): its week and
// closed dates, each resource's own week and time off, the rules (notice, furthest day, slot step), and the
// bookings already made. Wall clock ↔ instant goes through luxon in the business's time zone: a day's slots are
// stepped in real time from its opening instant to its closing instant, so a daylight-saving day has the minutes it
// really has: the spring gap offers nothing, and the autumn hour that happens twice offers both occurrences, each
// its own instant (wallClockInstants says which instants a local time names).
//
// No double booking, ever: the database refuses it. Each booking holds its resource's `blocked` range (the
// appointment with its buffers) under an exclusion constraint (migration 019), so two processes or nodes racing
// for one slot cannot both commit; the loser gets slot_taken with the next free slots. Every command takes an
// idempotency key: a redelivered call answers the booking the first one made (booking_requests).
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { DateTime } from '../luxon.ts';
import type { Queryable } from '../store/db.ts';
import type { Booking, BookingCustomer, BookingStatus, Slot } from './booking-model.ts';
import type { BusinessHours } from './hours.ts';
import { DAY_KEYS, dayRanges } from './hours.ts';
import {
  type BusinessProfile,
  type BusinessResource,
  type BusinessService,
  getService,
  listResources,
  requireProfile,
} from './profile.ts';

/** Confirmation codes: 6 characters without 0/O/1/I, easy to read out over the phone (32^6 ≈ 10^9). */
export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;

export function newCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** A code as a customer might say or type it: spaces and dashes dropped, upper case, O→0-free alphabet kept. */
export function normalizeCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

const MINUTE = 60_000;
/** The longest range one search covers. */
export const MAX_SEARCH_DAYS = 62;
/** How far ahead alternatives are looked for when a time is refused. */
const ALTERNATIVE_DAYS = 14;
const ALTERNATIVES = 3;
/** A search reads bookings this many days at a time. */
const BUSY_CHUNK_DAYS = 3;
/** A search's first chunk (read with the business): a day, the common search. */
const FIRST_CHUNK_DAYS = 1;

// ---------------------------------------------------------------------------------------------------------------
// Wall clock ↔ instant

/**
 * The instants a local wall-clock time names in a time zone: none in the spring gap, two in the autumn hour that
 * happens twice (earlier first), one otherwise.
 */
export function wallClockInstants(date: string, time: string, zone: string): Date[] {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  const out: Date[] = [];
  // The offsets in force a day either side cover every offset the local time could have on this day.
  const probe = DateTime.fromObject({ year: y, month: mo, day: d, hour: 12 }, { zone });
  const offsets = new Set([probe.minus({ days: 1 }).offset, probe.offset, probe.plus({ days: 1 }).offset]);
  for (const offset of [...offsets].sort((a, b) => b - a)) {
    const ms = Date.UTC(y, mo - 1, d, h, mi) - offset * MINUTE;
    const back = DateTime.fromMillis(ms, { zone });
    if (back.offset === offset && back.hour === h && back.minute === mi && back.day === d)
      out.push(new Date(ms));
  }
  return out.sort((a, b) => a.getTime() - b.getTime());
}

/** An instant as the business's wall clock reads it: 2026-03-29T09:00+01:00. */
export function localIso(at: Date, zone: string): string {
  return DateTime.fromJSDate(at, { zone }).toISO({ suppressSeconds: true, suppressMilliseconds: true })!;
}

const localDate = (at: Date, zone: string) => DateTime.fromJSDate(at, { zone }).toISODate()!;

/** Local midnight-to-midnight of a date, as instants (23 or 25 hours on a change day). */
function dayBounds(date: string, zone: string): [Date, Date] {
  const start = DateTime.fromISO(date, { zone }).startOf('day');
  return [start.toJSDate(), start.plus({ days: 1 }).toJSDate()];
}

function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** The earlier of two YYYY-MM-DD dates (they compare as strings). */
const earlierDate = (a: string, b: string) => ([a, b].sort() as [string, string])[0];

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The open range (minutes since local midnight) of a week on a date, or null when closed. */
function rangeOn(week: BusinessHours, date: string): [number, number] | null {
  if (week.closed?.includes(date)) return null;
  const weekday = DateTime.fromISO(date, { zone: 'UTC' }).weekday % 7; // luxon: Monday 1 … Sunday 7
  const r = dayRanges(week)[DAY_KEYS[weekday]!];
  return r ? [minutesOf(r.slice(0, 5)), minutesOf(r.slice(6))] : null;
}

/** The instant of a local minute of the day; a minute in the spring gap moves forward to when the clock resumes. */
function instantAt(date: string, minutes: number, zone: string): Date {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return DateTime.fromObject(
    { year: y, month: mo, day: d, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone },
  ).toJSDate();
}

// ---------------------------------------------------------------------------------------------------------------
// Slots

export interface Business {
  profile: BusinessProfile;
  resources: BusinessResource[];
}

type Interval = readonly [number, number];

/** Why a start time cannot be offered (ignoring other bookings), or null when it can. */
export type Refusal = 'past' | 'notice' | 'too_far' | 'closed' | 'outside_hours' | 'time_off' | 'off_step';

const overlaps = (a: Interval, b: Interval) => a[0] < b[1] && b[0] < a[1];

function timeOffOf(resource: BusinessResource, zone: string): Interval[] {
  return resource.timeOff.map((t) => [
    DateTime.fromISO(t.from, { zone }).toMillis(),
    DateTime.fromISO(t.to, { zone }).toMillis(),
  ]);
}

/**
 * Start instants (ms) by date and open range: resources sharing the business's hours share one list, and the time
 * zone arithmetic (luxon) runs once per date and range instead of once per resource.
 */
type StartsCache = Map<string, number[]>;

/** The start times a resource offers for a service on a local date, by the week alone (rules judged apart). */
function dayStartTimes(
  business: Business,
  resource: BusinessResource,
  service: BusinessService,
  date: string,
  cache?: StartsCache,
): number[] {
  const { profile } = business;
  const zone = profile.timezone;
  const open = rangeOn(profile.hours, date);
  if (!open) return [];
  let range: [number, number] | null = open;
  if (resource.hours) {
    const own = rangeOn(resource.hours, date);
    range = own ? [Math.max(open[0], own[0]), Math.min(open[1], own[1])] : null;
  }
  if (!range || range[0] >= range[1]) return [];
  const key = `${date}|${range[0]}|${range[1]}`;
  const hit = cache?.get(key);
  if (hit) return hit;
  const first = instantAt(date, range[0], zone).getTime();
  const last = instantAt(date, range[1], zone).getTime() - service.durationMin * MINUTE;
  const step = profile.rules.slotStepMin * MINUTE;
  const out: number[] = [];
  for (let t = first; t <= last; t += step) out.push(t);
  cache?.set(key, out);
  return out;
}

function dayStarts(
  business: Business,
  resource: BusinessResource,
  service: BusinessService,
  date: string,
): Date[] {
  return dayStartTimes(business, resource, service, date).map((t) => new Date(t));
}

function blockedOf(service: BusinessService, start: Date): Interval {
  return [
    start.getTime() - service.bufferBeforeMin * MINUTE,
    start.getTime() + (service.durationMin + service.bufferAfterMin) * MINUTE,
  ];
}

/** The rules' window: the first instant bookable and the last local date bookable. */
function window(profile: BusinessProfile, now: Date): { earliest: number; lastDate: string } {
  return {
    earliest: now.getTime() + profile.rules.minNoticeMin * MINUTE,
    lastDate: addDays(localDate(now, profile.timezone), profile.rules.maxDaysAhead),
  };
}

/** Bookings' blocked ranges per resource over [from, to). */
async function busyRanges(
  q: Queryable,
  resourceIds: string[],
  from: Date,
  to: Date,
  now: Date,
  exceptBooking?: string,
) {
  // A tentative booking whose hold has lapsed (its approval expired undecided) blocks nobody.
  const rows = await q.query<{ resource_id: string; lo: Date; hi: Date }>(
    `SELECT resource_id::text AS resource_id, lower(blocked) AS lo, upper(blocked) AS hi FROM bookings
     WHERE resource_id = ANY($1::uuid[]) AND status <> 'cancelled' AND blocked && tstzrange($2, $3)
       AND ($4::uuid IS NULL OR id <> $4::uuid) AND (hold_until IS NULL OR hold_until > $5)`,
    [resourceIds, from, to, exceptBooking ?? null, now],
  );
  const busy = new Map<string, Interval[]>();
  for (const r of rows) {
    const list = busy.get(r.resource_id) ?? [];
    list.push([new Date(r.lo).getTime(), new Date(r.hi).getTime()]);
    busy.set(r.resource_id, list);
  }
  return busy;
}

/** The longest blocked range a booking can have (720 min + 2 × 240 min buffers) is under this. */
const MAX_BLOCKED_MS = 24 * 60 * MINUTE;
/** Widest offsets from UTC (−12 h … +14 h) plus the search's own margins (4 h before, 16 h after a day). */
const ZONE_MARGIN_BEFORE_MS = (14 + 4) * 60 * MINUTE;
const ZONE_MARGIN_AFTER_MS = (12 + 16) * 60 * MINUTE;

/**
 * Bookings' blocked ranges over local dates [from, until] of an agent in any time zone (a UTC window wide enough for
 * every offset), per resource: read before the business is loaded, so a search's first chunk costs no extra round
 * trip. The index on (agent_id, starts_at) bounds it: a booking that overlaps the window starts at most a day before.
 */
async function agentBusyRanges(
  q: Queryable,
  agentId: string,
  from: string,
  until: string,
  now: Date,
  exceptBooking?: string,
) {
  const lo = Date.parse(`${from}T00:00:00Z`) - ZONE_MARGIN_BEFORE_MS;
  const hi = Date.parse(`${addDays(until, 1)}T00:00:00Z`) + ZONE_MARGIN_AFTER_MS;
  const rows = await q.query<{ resource_id: string; lo: Date; hi: Date }>(
    `SELECT resource_id::text AS resource_id, lower(blocked) AS lo, upper(blocked) AS hi FROM bookings
     WHERE agent_id = $1 AND starts_at > $2 AND starts_at < $3 AND status <> 'cancelled'
       AND blocked && tstzrange($4, $5) AND ($6::uuid IS NULL OR id <> $6::uuid)
       AND (hold_until IS NULL OR hold_until > $7)`,
    [
      agentId,
      new Date(lo - MAX_BLOCKED_MS),
      new Date(hi + MAX_BLOCKED_MS),
      new Date(lo),
      new Date(hi),
      exceptBooking ?? null,
      now,
    ],
  );
  const busy = new Map<string, Interval[]>();
  for (const r of rows) {
    const list = busy.get(r.resource_id) ?? [];
    list.push([new Date(r.lo).getTime(), new Date(r.hi).getTime()]);
    busy.set(r.resource_id, list);
  }
  return busy;
}

function eligible(business: Business, service: BusinessService, resourceId?: string): BusinessResource[] {
  const can = new Set(service.resourceIds);
  const list = business.resources.filter((r) => !r.archived && can.has(r.id));
  if (resourceId === undefined) return list;
  const one = list.filter((r) => r.id === resourceId);
  if (!one.length)
    throw new AppError('validation_failed', 'this resource does not do this service', [
      { path: ['resourceId'], message: 'not a resource of this business that does this service' },
    ]);
  return one;
}

export interface SlotSearch {
  serviceId: string;
  /** First local date searched, YYYY-MM-DD in the business's time zone. */
  from: string;
  /** Last local date searched (inclusive); defaults to `from`. */
  to?: string | undefined;
  resourceId?: string | undefined;
  /** At most this many slots (earliest first). */
  limit?: number | undefined;
  /** Only slots starting at or after this instant. */
  notBefore?: Date | undefined;
  /** A booking whose own time does not count as busy (rescheduling it). */
  exceptBooking?: string | undefined;
}

/** The profile bookings are made under (409 invalid_state before the business is set up). */
export const requireBookable = requireProfile;

/** Loads what a search needs: the profile and the resources. */
export async function loadBusiness(q: Queryable, agentId: string): Promise<Business> {
  const [profile, resources] = await Promise.all([requireProfile(q, agentId), listResources(q, agentId)]);
  return { profile, resources };
}

async function serviceOf(q: Queryable, agentId: string, serviceId: string): Promise<BusinessService> {
  const service = await getService(q, serviceId).catch(() => null);
  if (!service || service.agentId !== agentId || service.archived)
    throw new AppError('validation_failed', 'no such service', [
      { path: ['serviceId'], message: 'not a service this business offers' },
    ]);
  return service;
}

/** Free slots, earliest first (then by resource name), at most `limit`. */
export async function searchSlots(
  q: Queryable,
  agentId: string,
  now: Date,
  search: SlotSearch,
): Promise<Slot[]> {
  return (await availability(q, agentId, now, search)).slots;
}

/** searchSlots with the business it loaded (its time zone, to present the slots). */
export async function availability(
  q: Queryable,
  agentId: string,
  now: Date,
  search: SlotSearch,
): Promise<{ business: Business; slots: Slot[] }> {
  // The first chunk's bookings are read alongside the business (one round trip, not two).
  const from = search.from;
  const to = search.to ?? search.from;
  const until =
    /^\d{4}-\d{2}-\d{2}$/.test(from) && to >= from
      ? earlierDate(to, addDays(from, FIRST_CHUNK_DAYS - 1))
      : null;
  const [business, service, busy] = await Promise.all([
    loadBusiness(q, agentId),
    serviceOf(q, agentId, search.serviceId),
    until ? agentBusyRanges(q, agentId, from, until, now, search.exceptBooking) : null,
  ]);
  return {
    business,
    slots: await slotsIn(q, business, service, now, search, busy && until ? { busy, until } : undefined),
  };
}

async function slotsIn(
  q: Queryable,
  business: Business,
  service: BusinessService,
  now: Date,
  search: SlotSearch,
  prefetched?: { busy: Map<string, Interval[]>; until: string },
): Promise<Slot[]> {
  const { profile } = business;
  const zone = profile.timezone;
  const to = search.to ?? search.from;
  if (to < search.from)
    throw new AppError('validation_failed', 'the range ends before it starts', [
      { path: ['to'], message: 'before from' },
    ]);
  if (addDays(search.from, MAX_SEARCH_DAYS - 1) < to)
    throw new AppError('validation_failed', `search at most ${MAX_SEARCH_DAYS} days at once`, [
      { path: ['to'], message: `at most ${MAX_SEARCH_DAYS} days after from` },
    ]);
  const limit = search.limit ?? 10;
  const resources = eligible(business, service, search.resourceId);
  if (!resources.length) return [];
  const { earliest, lastDate } = window(profile, now);
  const notBefore = Math.max(earliest, search.notBefore?.getTime() ?? 0);
  const last = earlierDate(to, lastDate);
  if (last < search.from) return [];
  const offs = new Map(resources.map((r) => [r.id, timeOffOf(r, zone)]));
  // Resources come in name order (listResources): a slot's rank among equal starts is its resource's.
  const rank = new Map(resources.map((r, i) => [r.id, i]));
  const starts: StartsCache = new Map();
  const out: Slot[] = [];
  // Bookings are read a few days at a time, so a search that fills its limit early reads only those days.
  let busy = prefetched?.busy ?? new Map<string, Interval[]>();
  let busyUntil = prefetched?.until ?? '';
  for (let date = search.from; date <= last; date = addDays(date, 1)) {
    if (date > busyUntil) {
      busyUntil = earlierDate(addDays(date, BUSY_CHUNK_DAYS - 1), last);
      busy = await busyRanges(
        q,
        resources.map((r) => r.id),
        new Date(dayBounds(date, zone)[0].getTime() - 240 * MINUTE),
        new Date(dayBounds(busyUntil, zone)[1].getTime() + 960 * MINUTE),
        now,
        search.exceptBooking,
      );
    }
    const day: Slot[] = [];
    const duration = service.durationMin * MINUTE;
    const before = service.bufferBeforeMin * MINUTE;
    const after = service.bufferAfterMin * MINUTE;
    for (const resource of resources) {
      const off = offs.get(resource.id)!;
      const taken = busy.get(resource.id) ?? [];
      for (const t of dayStartTimes(business, resource, service, date, starts)) {
        if (t < notBefore) continue;
        const end = t + duration;
        // Time off covers the appointment; bookings (and time off) must stay clear of it with its buffers.
        if (off.some((o) => o[0] < end && t < o[1])) continue;
        const lo = t - before;
        const hi = end + after;
        if (taken.some((b) => b[0] < hi && lo < b[1]) || off.some((o) => o[0] < hi && lo < o[1])) continue;
        day.push({
          serviceId: service.id,
          resourceId: resource.id,
          resourceName: resource.name,
          start: new Date(t),
          end: new Date(end),
        });
      }
    }
    day.sort(
      (a, b) => a.start.getTime() - b.start.getTime() || rank.get(a.resourceId)! - rank.get(b.resourceId)!,
    );
    out.push(...day);
    if (out.length >= limit) break;
  }
  return out.slice(0, limit);
}

/** Why a resource cannot take the service at `start` by the rules and its week (bookings aside), or null. */
function refusal(
  business: Business,
  resource: BusinessResource,
  service: BusinessService,
  start: Date,
  now: Date,
): Refusal | null {
  const { profile } = business;
  const zone = profile.timezone;
  const { earliest, lastDate } = window(profile, now);
  if (start.getTime() < now.getTime()) return 'past';
  if (start.getTime() < earliest) return 'notice';
  const date = localDate(start, zone);
  if (date > lastDate) return 'too_far';
  if (!rangeOn(profile.hours, date) || (resource.hours && !rangeOn(resource.hours, date))) return 'closed';
  const starts = dayStarts(business, resource, service, date);
  if (!starts.some((s) => s.getTime() === start.getTime())) {
    const first = starts[0]?.getTime() ?? Number.POSITIVE_INFINITY;
    const lastStart = starts.at(-1)?.getTime() ?? Number.NEGATIVE_INFINITY;
    return start.getTime() < first || start.getTime() > lastStart ? 'outside_hours' : 'off_step';
  }
  const appointment: Interval = [start.getTime(), start.getTime() + service.durationMin * MINUTE];
  if (timeOffOf(resource, zone).some((o) => overlaps(o, appointment))) return 'time_off';
  return null;
}

const REFUSAL_TEXT: Record<Refusal, string> = {
  past: 'that time has passed',
  notice: 'that is too soon: bookings need more notice',
  too_far: 'that is further ahead than bookings open',
  closed: 'the business is closed that day',
  outside_hours: 'that is outside opening hours',
  time_off: 'nobody who does this service is in then',
  off_step: 'appointments start on the slot times offered',
};

const presentSlot = (zone: string) => (s: Slot) => ({
  serviceId: s.serviceId,
  resourceId: s.resourceId,
  resourceName: s.resourceName,
  start: s.start.toISOString(),
  end: s.end.toISOString(),
  localStart: localIso(s.start, zone),
  localEnd: localIso(s.end, zone),
});

export type PresentedSlot = ReturnType<ReturnType<typeof presentSlot>>;
export const slotPresenter = presentSlot;

/** The next free slots from around `start` (its day, or today when it is past), for a refusal's details. */
async function alternatives(
  q: Queryable,
  business: Business,
  service: BusinessService,
  now: Date,
  start: Date,
  resourceId?: string,
  exceptBooking?: string,
): Promise<PresentedSlot[]> {
  const zone = business.profile.timezone;
  const { lastDate } = window(business.profile, now);
  const today = localDate(now, zone);
  let from = localDate(start, zone);
  if (from < today) from = today;
  if (from > lastDate) from = lastDate;
  const to = addDays(from, ALTERNATIVE_DAYS - 1);
  const slots = await slotsIn(q, business, service, now, {
    serviceId: service.id,
    from,
    to: earlierDate(to, lastDate),
    resourceId,
    limit: ALTERNATIVES,
    notBefore: start.getTime() > now.getTime() ? start : undefined,
    exceptBooking,
  });
  return slots.map(presentSlot(zone));
}

// ---------------------------------------------------------------------------------------------------------------
// Bookings

export function presentBookingRow(r: Record<string, unknown>): Booking {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    code: String(r.code),
    serviceId: String(r.service_id),
    resourceId: String(r.resource_id),
    start: new Date(r.starts_at as Date),
    end: new Date(r.ends_at as Date),
    status: r.status as BookingStatus,
    customer: r.customer as BookingCustomer,
    channel: (r.channel as string | null) ?? null,
    conversationId: (r.conversation_id as string | null) ?? null,
    createdAt: new Date(r.created_at as Date),
    holdUntil: r.hold_until ? new Date(r.hold_until as Date) : null,
  };
}

const Customer = z
  .object({
    name: z.string().trim().min(1).max(200),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{5,30}$/, 'a phone number')
      .optional(),
    email: z.string().trim().email().max(320).optional(),
  })
  .strict();

const Instant = z.iso.datetime({ offset: true });
const Key = z.string().min(1).max(200);

export const BookInputSchema = z
  .object({
    serviceId: z.string().uuid(),
    resourceId: z.string().uuid().optional(),
    /** An instant with its offset (a slot's `start`): a local time alone could name two instants. */
    start: Instant,
    customer: Customer,
    status: z.enum(['confirmed', 'tentative']).default('confirmed'),
    /** A tentative booking's hold lapses then (pilot: the approval's expiry); without it, it holds until decided. */
    holdUntil: z.coerce.date().optional(),
    channel: z.string().min(1).max(40).optional(),
    conversationId: z.string().min(1).max(200).optional(),
    idempotencyKey: Key,
  })
  .strict();
export type BookInput = z.input<typeof BookInputSchema>;

export const RescheduleInputSchema = z
  .object({
    code: z.string().min(1).max(20),
    start: Instant,
    resourceId: z.string().uuid().optional(),
    idempotencyKey: Key,
  })
  .strict();
export type RescheduleInput = z.input<typeof RescheduleInputSchema>;

export const CodeInputSchema = z
  .object({ code: z.string().min(1).max(20), idempotencyKey: Key, reason: z.string().max(500).optional() })
  .strict();
export type CodeInput = z.input<typeof CodeInputSchema>;

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success)
    throw new AppError(
      'validation_failed',
      undefined,
      r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    );
  return r.data;
}

type Operation = 'create' | 'reschedule' | 'cancel' | 'confirm';

/**
 * Serializes calls with one idempotency key (a transaction-scoped advisory lock) and answers the booking an earlier
 * call with the key made, or null for a first call.
 */
async function replayed(tx: Queryable, agentId: string, key: string, op: Operation): Promise<Booking | null> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 20))', [`${agentId}:${key}`]);
  const [row] = await tx.query<Record<string, unknown> & { operation: string }>(
    `SELECT b.*, r.operation FROM booking_requests r JOIN bookings b ON b.id = r.booking_id
     WHERE r.agent_id = $1 AND r.idempotency_key = $2`,
    [agentId, key],
  );
  if (!row) return null;
  if (row.operation !== op)
    throw new AppError('conflict', `this idempotency key was used for a ${row.operation}`, [
      { path: ['idempotencyKey'], message: 'already used for another operation' },
    ]);
  return presentBookingRow(row);
}

async function remember(
  tx: Queryable,
  agentId: string,
  key: string,
  op: Operation,
  bookingId: string,
  at: Date,
) {
  await tx.query(
    'INSERT INTO booking_requests (agent_id, idempotency_key, operation, booking_id, created_at) VALUES ($1, $2, $3, $4, $5)',
    [agentId, key, op, bookingId, at],
  );
}

const isExclusion = (err: unknown) => (err as { code?: string }).code === '23P01';
/**
 * Two transactions inserting overlapping ranges at once each wait for the other's tuple while checking the exclusion
 * constraint; PostgreSQL breaks the cycle by failing one with 40P01. The loser retries the same resource: by then the
 * winner has committed (an exclusion violation) or rolled back (the slot is free).
 */
const isDeadlock = (err: unknown) => (err as { code?: string }).code === '40P01';
const isCodeClash = (err: unknown) =>
  (err as { code?: string; constraint?: string }).code === '23505' &&
  /bookings_code_key/.test(String((err as { constraint?: string }).constraint ?? (err as Error).message));

/** Runs fn under a savepoint: a statement error rolls back to it and the transaction goes on. */
async function attempt<T>(
  tx: Queryable,
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; err: unknown }> {
  await tx.query('SAVEPOINT booking_attempt');
  try {
    const value = await fn();
    await tx.query('RELEASE SAVEPOINT booking_attempt');
    return { ok: true, value };
  } catch (err) {
    await tx.query('ROLLBACK TO SAVEPOINT booking_attempt');
    return { ok: false, err };
  }
}

/**
 * The resources to try for `start`, in name order: those whose week and time off allow it. None → slot_unavailable
 * naming why (past, notice, too_far, closed, outside_hours, time_off, off_step) with alternatives.
 */
async function candidates(
  q: Queryable,
  business: Business,
  service: BusinessService,
  start: Date,
  now: Date,
  resourceId?: string,
  exceptBooking?: string,
): Promise<BusinessResource[]> {
  const resources = eligible(business, service, resourceId);
  const reasons = resources.map((r) => refusal(business, r, service, start, now));
  const ok = resources.filter((_, i) => reasons[i] === null);
  if (ok.length) return ok;
  const reason = reasons.find((r) => r !== 'closed' && r !== 'time_off') ?? reasons[0] ?? 'closed';
  throw new AppError('slot_unavailable', REFUSAL_TEXT[reason], {
    reason,
    alternatives: await alternatives(q, business, service, now, start, resourceId, exceptBooking),
  });
}

/** Thrown inside a booking transaction when every resource was taken; answered as slot_taken after rollback. */
class Taken {
  constructor(
    readonly business: Business,
    readonly service: BusinessService,
    readonly start: Date,
    readonly resourceId?: string,
    readonly exceptBooking?: string,
  ) {}
}

/**
 * Runs a booking transaction: a deadlock (two commands waiting on each other's locks) reruns it; a Taken becomes
 * slot_taken with the next free slots, looked up after the transaction (its locks) has ended.
 */
async function booking<T>(svc: Services, now: Date, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await svc.db.transaction(fn);
    } catch (err) {
      if (isDeadlock(err) && tries < 5) continue;
      if (!(err instanceof Taken)) throw err;
      throw new AppError('slot_taken', undefined, {
        alternatives: await alternatives(
          svc.db,
          err.business,
          err.service,
          now,
          err.start,
          err.resourceId,
          err.exceptBooking,
        ),
      });
    }
  }
}

/**
 * Inserts or moves into one resource's time one at a time (a transaction-scoped advisory lock per resource): the
 * exclusion constraint still decides, but concurrent writers no longer wait on each other's uncommitted rows while
 * checking it (which PostgreSQL can only resolve by failing one with a deadlock).
 */
async function lockResource(tx: Queryable, resourceId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 21))', [`booking:${resourceId}`]);
}

/**
 * Cancels the tentative bookings of a resource whose hold has lapsed and that overlap [lo, hi) (the caller holds the
 * resource's lock): their time is free again for the booking about to be made. Audited as booking.lapsed.
 */
async function lapseHolds(
  svc: Services,
  tx: Queryable,
  resourceId: string,
  lo: number,
  hi: number,
  now: Date,
): Promise<void> {
  const rows = await tx.query<{ id: string; code: string; agent_id: string }>(
    `UPDATE bookings SET status = 'cancelled', updated_at = $4
     WHERE resource_id = $1 AND status = 'tentative' AND hold_until <= $4 AND blocked && tstzrange($2, $3)
     RETURNING id, code, agent_id`,
    [resourceId, new Date(lo), new Date(hi), now],
  );
  for (const r of rows)
    await svc.audit.append(
      {
        stream: `agent:${r.agent_id}`,
        actor: 'system',
        action: 'booking.lapsed',
        subject: `booking:${r.id}`,
        payload: { code: r.code, holdLapsed: true },
      },
      tx,
    );
}

/** Books a slot; a redelivered call (same idempotency key) answers the same booking. */
export async function bookingCreator(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: BookInput,
): Promise<Booking> {
  const data = parse(BookInputSchema, input);
  const start = new Date(data.start);
  const now = svc.clock.now();
  return booking(svc, now, async (tx) => {
    const again = await replayed(tx, agentId, data.idempotencyKey, 'create');
    if (again) return again;
    const business = await loadBusiness(tx, agentId);
    const service = await serviceOf(tx, agentId, data.serviceId);
    const tryThese = await candidates(tx, business, service, start, now, data.resourceId);
    const end = new Date(start.getTime() + service.durationMin * MINUTE);
    const [lo, hi] = blockedOf(service, start);
    for (const resource of tryThese) {
      await lockResource(tx, resource.id);
      await lapseHolds(svc, tx, resource.id, lo, hi, now);
      for (let tries = 0; tries < 5; tries++) {
        const r = await attempt(tx, () =>
          tx.query(
            `INSERT INTO bookings (agent_id, code, service_id, resource_id, starts_at, ends_at, blocked, status, customer,
               channel, conversation_id, created_at, updated_at, hold_until)
             VALUES ($1, $2, $3, $4, $5, $6, tstzrange($7, $8), $9, $10, $11, $12, $13, $13, $14) RETURNING *`,
            [
              agentId,
              newCode(),
              service.id,
              resource.id,
              start,
              end,
              new Date(lo),
              new Date(hi),
              data.status,
              JSON.stringify(data.customer),
              data.channel ?? null,
              data.conversationId ?? null,
              now,
              data.status === 'tentative' ? (data.holdUntil ?? null) : null,
            ],
          ),
        );
        if (r.ok) {
          const booking = presentBookingRow(r.value[0]!);
          await remember(tx, agentId, data.idempotencyKey, 'create', booking.id, now);
          await svc.audit.append(
            {
              stream: `agent:${agentId}`,
              actor,
              action: 'booking.created',
              subject: `booking:${booking.id}`,
              payload: {
                code: booking.code,
                serviceId: service.id,
                resourceId: resource.id,
                start: booking.start.toISOString(),
                status: booking.status,
                ...(booking.holdUntil ? { holdUntil: booking.holdUntil.toISOString() } : {}),
              },
            },
            tx,
          );
          return booking;
        }
        if (isCodeClash(r.err) || isDeadlock(r.err)) continue;
        if (isExclusion(r.err)) break;
        throw r.err;
      }
    }
    throw new Taken(business, service, start, data.resourceId);
  });
}

/** A booking of the agent by its code (or 404). */
export async function bookingByCode(
  q: Queryable,
  agentId: string,
  code: string,
  lock = false,
): Promise<Booking> {
  const [row] = await q.query(
    `SELECT * FROM bookings WHERE agent_id = $1 AND code = $2 ${lock ? 'FOR UPDATE' : ''}`,
    [agentId, normalizeCode(code)],
  );
  if (!row) throw new AppError('not_found', 'no booking with this code');
  return presentBookingRow(row);
}

/** The booking a create command with this idempotency key made, or null. */
export async function bookingByRequest(q: Queryable, agentId: string, key: string): Promise<Booking | null> {
  const [row] = await q.query(
    `SELECT b.* FROM booking_requests r JOIN bookings b ON b.id = r.booking_id
     WHERE r.agent_id = $1 AND r.idempotency_key = $2 AND r.operation = 'create'`,
    [agentId, key],
  );
  return row ? presentBookingRow(row) : null;
}

/** Moves a booking to another start (and maybe resource); the code stays, the reminder is due again. */
export async function bookingRescheduler(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: RescheduleInput,
): Promise<Booking> {
  const data = parse(RescheduleInputSchema, input);
  const start = new Date(data.start);
  const now = svc.clock.now();
  return booking(svc, now, async (tx) => {
    const again = await replayed(tx, agentId, data.idempotencyKey, 'reschedule');
    if (again) return again;
    const current = await bookingByCode(tx, agentId, data.code, true);
    if (current.status === 'cancelled') throw new AppError('invalid_state', 'the booking is cancelled');
    const business = await loadBusiness(tx, agentId);
    const service = await getService(tx, current.serviceId);
    const tryThese = await candidates(tx, business, service, start, now, data.resourceId, current.id);
    // The same resource when it is free (a customer moving their time keeps their person), else the others in name
    // order; locks are taken in that order, and a rare deadlock with another order reruns the command.
    tryThese.sort((a, b) => Number(b.id === current.resourceId) - Number(a.id === current.resourceId));
    const end = new Date(start.getTime() + service.durationMin * MINUTE);
    const [lo, hi] = blockedOf(service, start);
    for (const resource of tryThese) {
      await lockResource(tx, resource.id);
      await lapseHolds(svc, tx, resource.id, lo, hi, now);
      let r: Awaited<ReturnType<typeof attempt<Record<string, unknown>[]>>> = { ok: false, err: null };
      for (let tries = 0; tries < 5; tries++) {
        r = await attempt(tx, () =>
          tx.query(
            `UPDATE bookings SET resource_id = $2, starts_at = $3, ends_at = $4, blocked = tstzrange($5, $6),
             reminded_at = NULL, updated_at = $7 WHERE id = $1 RETURNING *`,
            [current.id, resource.id, start, end, new Date(lo), new Date(hi), now],
          ),
        );
        if (r.ok || !isDeadlock(r.err)) break;
      }
      if (r.ok) {
        const booking = presentBookingRow(r.value[0]!);
        await remember(tx, agentId, data.idempotencyKey, 'reschedule', booking.id, now);
        await svc.audit.append(
          {
            stream: `agent:${agentId}`,
            actor,
            action: 'booking.rescheduled',
            subject: `booking:${booking.id}`,
            payload: {
              code: booking.code,
              from: current.start.toISOString(),
              start: booking.start.toISOString(),
              resourceId: resource.id,
            },
          },
          tx,
        );
        return booking;
      }
      if (!isExclusion(r.err)) throw r.err;
    }
    throw new Taken(business, service, start, data.resourceId, current.id);
  });
}

async function setStatus(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: CodeInput,
  op: 'cancel' | 'confirm',
): Promise<Booking> {
  const data = parse(CodeInputSchema, input);
  const now = svc.clock.now();
  return svc.db.transaction(async (tx) => {
    const again = await replayed(tx, agentId, data.idempotencyKey, op);
    if (again) return again;
    const current = await bookingByCode(tx, agentId, data.code, true);
    const target: BookingStatus = op === 'cancel' ? 'cancelled' : 'confirmed';
    if (op === 'confirm' && current.status === 'cancelled')
      throw new AppError('invalid_state', 'the booking is cancelled');
    let booking = current;
    if (current.status !== target) {
      const [row] = await tx.query(
        `UPDATE bookings SET status = $2, updated_at = $3,
           hold_until = CASE WHEN $2 = 'confirmed' THEN NULL ELSE hold_until END WHERE id = $1 RETURNING *`,
        [current.id, target, now],
      );
      booking = presentBookingRow(row!);
      await svc.audit.append(
        {
          stream: `agent:${agentId}`,
          actor,
          action: op === 'cancel' ? 'booking.cancelled' : 'booking.confirmed',
          subject: `booking:${booking.id}`,
          payload: { code: booking.code, ...(data.reason ? { reason: data.reason } : {}) },
        },
        tx,
      );
    }
    await remember(tx, agentId, data.idempotencyKey, op, booking.id, now);
    return booking;
  });
}

/** Cancels a booking (its time is free again); cancelling a cancelled booking changes nothing. */
export const bookingCanceller = (svc: Services, actor: Actor, agentId: string, input: CodeInput) =>
  setStatus(svc, actor, agentId, input, 'cancel');

/** Confirms a tentative booking (pilot: a person confirms from the dashboard). */
export const confirmBooking = (svc: Services, actor: Actor, agentId: string, input: CodeInput) =>
  setStatus(svc, actor, agentId, input, 'confirm');

export interface BookingFilter {
  /** Bookings starting in [from, to). */
  from: Date;
  to: Date;
  resourceId?: string | undefined;
  includeCancelled?: boolean | undefined;
  limit?: number | undefined;
}

export async function listBookings(q: Queryable, agentId: string, f: BookingFilter): Promise<Booking[]> {
  const rows = await q.query(
    `SELECT * FROM bookings WHERE agent_id = $1 AND starts_at >= $2 AND starts_at < $3
       AND ($4::uuid IS NULL OR resource_id = $4::uuid) AND ($5 OR status <> 'cancelled')
     ORDER BY starts_at, id LIMIT $6`,
    [agentId, f.from, f.to, f.resourceId ?? null, f.includeCancelled ?? false, f.limit ?? 500],
  );
  return rows.map(presentBookingRow);
}

/** A local day or range as instants: [start of `from`, start of the day after `to`). */
export function localRange(from: string, to: string, zone: string): { from: Date; to: Date } {
  return { from: dayBounds(from, zone)[0], to: dayBounds(to, zone)[1] };
}
