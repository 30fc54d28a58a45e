// The AI phone screen's commands: the screen line (a business profile, a "Phone screen line" resource and a "Phone
// screen" service, through the shared bookings), an invitation (by a person, or by the recruiter's rule for qualified
// candidates only, never below the threshold), the candidate's choice on the career page (a free slot, booked with
// src/business/bookings.ts, so two screens never share a line; or a person instead), the call at the booked time (a
// job claims each due screen once, then POST /call), and Vapi's end-of-call-report (stored once: transcript and the
// per-question assessment, every quote checked against the transcript). Every step is audited on the agent's stream;
// nothing here advances, rejects or hires: a person reads the screen and decides.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { bookingCanceller, bookingCreator, searchSlots } from '../../../business/bookings.ts';
import {
  type BusinessProfile,
  type BusinessService,
  getProfile,
  listResources,
  listServices,
  profileSaver,
  resourceCreator,
  serviceCreator,
  serviceUpdater,
} from '../../../business/profile.ts';
import type { Actor, Services } from '../../../context.ts';
import { AppError } from '../../../errors.ts';
import { DateTime } from '../../../luxon.ts';
import type { Queryable } from '../../../store/db.ts';
import type { HiringMailer } from '../email.ts';
import { screenQuestions } from '../engine/questions.ts';
import type { Criterion, Rubric } from '../engine/types.ts';
import {
  assessTranscript,
  groundedAssessment,
  type ScreenAssessment,
  type ScreenQuestion,
  turnsOf,
} from './assess.ts';
import { callsUnavailable, placeScreenCall, type ScreenCallConfig, VapiCallError } from './vapi.ts';

export const SCREEN_SERVICE = 'Phone screen';
export const SCREEN_LINE = 'Phone screen line';
/** How long an invitation link stays valid. */
export const INVITATION_DAYS = 5;
/** The candidate picks from the free slots of this many local days (today first): at most a few days ahead. */
export const SLOT_DAYS = 4;
/** A claimed call not confirmed by Vapi after this long is marked failed (never dialled twice). */
const CALL_LEASE_MS = 10 * 60_000;
/** A call Vapi could not take is retried until this long after its time, then marked failed. */
const RETRY_WINDOW_MS = 30 * 60_000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------------------------
// The screen line

export const ScreenSetupSchema = z
  .object({
    timezone: z.string().min(1).max(64),
    hours: z.record(z.string(), z.unknown()),
    durationMin: z.number().int().min(10).max(60).default(20),
    /** How many screens can run at once (lines): "Phone screen line", "Phone screen line 2", … */
    lines: z.number().int().min(1).max(10).default(1),
  })
  .strict();
export type ScreenSetupInput = z.input<typeof ScreenSetupSchema>;

export interface ScreenSetup {
  profile: BusinessProfile;
  service: BusinessService;
}

export async function screenSetupOf(q: Queryable, agentId: string): Promise<ScreenSetup | null> {
  const profile = await getProfile(q, agentId);
  if (!profile) return null;
  const service = (await listServices(q, agentId)).find((s) => s.name === SCREEN_SERVICE);
  return service ? { profile, service } : null;
}

/** Sets up (or changes) the screen line: the hiring agent's business profile, its lines and the screen service. */
export async function screenSetupSaver(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: ScreenSetupInput,
): Promise<ScreenSetup> {
  const parsed = ScreenSetupSchema.safeParse(input);
  if (!parsed.success)
    throw new AppError(
      'validation_failed',
      'the screen setup is not valid',
      parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    );
  const data = parsed.data;
  // The furthest day bookable is the last of the days a candidate sees; at least two hours' notice.
  const profile = await profileSaver(svc, actor, agentId, {
    timezone: data.timezone,
    hours: data.hours,
    rules: { minNoticeMin: 120, maxDaysAhead: SLOT_DAYS - 1, slotStepMin: 30, reminderHours: 0 },
  });
  const resources = await listResources(svc.db, agentId);
  const lineIds: string[] = [];
  for (let i = 1; i <= data.lines; i++) {
    const name = i === 1 ? SCREEN_LINE : `${SCREEN_LINE} ${i}`;
    const found = resources.find((r) => r.name === name);
    lineIds.push(
      found ? found.id : (await resourceCreator(svc, actor, agentId, { name, kind: 'equipment' })).id,
    );
  }
  const existing = (await listServices(svc.db, agentId)).find((s) => s.name === SCREEN_SERVICE);
  const service = existing
    ? await serviceUpdater(svc, actor, existing.id, { durationMin: data.durationMin, resourceIds: lineIds })
    : await serviceCreator(svc, actor, agentId, {
        name: SCREEN_SERVICE,
        durationMin: data.durationMin,
        bufferAfterMin: 10,
        resourceIds: lineIds,
      });
  return { profile, service };
}

// ---------------------------------------------------------------------------------------------------------------
// Invitations

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export type InvitationStatus = 'sent' | 'booked' | 'person_requested' | 'cancelled';

interface InvitationRow {
  id: string;
  agent_id: string;
  application_id: string;
  status: InvitationStatus;
  expires_at: Date;
  invited_by: string;
  email_sent_at: Date | null;
  created_at: Date;
}

export interface Invited {
  invitationId: string;
  expiresAt: Date;
  /** The private link: only its hash is stored, so it is shown once, here and in the email. */
  link: string;
  emailed: boolean;
}

/** The page a link opens: the token rides in the fragment, so it never reaches a server log or a Referer. */
export function invitationLink(base: string, agentName: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/careers/${encodeURIComponent(agentName)}/screen#${token}`;
}

export function invitationText(p: {
  name: string;
  company: string;
  job: string;
  link: string;
  expiresAt: Date;
}) {
  return [
    `Hello ${p.name},`,
    '',
    `Thank you for your application for ${p.job} at ${p.company}. We would like to invite you to a short phone screen`,
    'of about 20 minutes, at a time you choose in the next few days.',
    '',
    'The screen is run by an AI assistant and the call is transcribed. It asks a few questions about the job’s',
    'requirements; it never judges your voice, tone or emotions, and it never rejects anyone: a person at the company',
    'reads the transcript and makes every decision. If you prefer, you can ask for a person instead, on the page below',
    'or at the start of the call.',
    '',
    `Choose a time: ${p.link}`,
    `(This link is personal and works until ${p.expiresAt.toUTCString()}.)`,
    '',
    `— ${p.company}`,
  ].join('\n');
}

/**
 * Invites a candidate to the phone screen. By a person: any candidate not erased and still in the applied or screen
 * stage. By the rule (actor `rule`): only a qualified candidate (score at or above the threshold, no must-have
 * missing). Inviting again while an invitation is open replaces its link (the old one stops working); a booked one is
 * invalid_state. The email goes out after the commit, claimed once (cleared again if the relay refused).
 */
export async function screenInviter(
  svc: Services,
  actor: Actor,
  applicationId: string,
  options: { base: string; mailer: HiringMailer | null; byRule?: boolean },
): Promise<Invited> {
  const now = svc.clock.now();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * DAY_MS);
  const made = await svc.db.transaction(async (tx) => {
    const [a] = await tx.query<{
      agent_id: string;
      agent_name: string;
      stage: string;
      qualified: boolean | null;
      email: string;
    }>(
      `SELECT a.agent_id, g.name AS agent_name, a.stage, a.qualified, a.email FROM hiring_applications a
       JOIN agents g ON g.id = a.agent_id WHERE a.id = $1 AND a.erased_at IS NULL FOR UPDATE OF a`,
      [applicationId],
    );
    if (!a) throw new AppError('not_found', 'no such application');
    if (options.byRule && a.qualified !== true)
      throw new AppError('invalid_state', 'the rule only invites qualified candidates');
    if (!['applied', 'screen'].includes(a.stage))
      throw new AppError('invalid_state', `the candidate is at the ${a.stage} stage`);
    if (!(await screenSetupOf(tx, a.agent_id)))
      throw new AppError('screen_not_set_up', 'set up the phone screen line first (time zone, hours)');
    const [live] = await tx.query<InvitationRow>(
      `SELECT * FROM hiring_screen_invitations WHERE application_id = $1 AND status IN ('sent', 'booked') FOR UPDATE`,
      [applicationId],
    );
    if (live?.status === 'booked')
      throw new AppError('invalid_state', 'the candidate has already booked a screen');
    let id: string;
    if (live) {
      await tx.query(
        `UPDATE hiring_screen_invitations SET token_hash = $2, expires_at = $3, email_sent_at = NULL, updated_at = $4
         WHERE id = $1`,
        [live.id, tokenHash(token), expiresAt, now],
      );
      id = live.id;
    } else {
      const [row] = await tx.query<{ id: string }>(
        `INSERT INTO hiring_screen_invitations (agent_id, application_id, token_hash, expires_at, invited_by,
           created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
        [a.agent_id, applicationId, tokenHash(token), expiresAt, options.byRule ? 'rule' : actor, now],
      );
      id = row!.id;
    }
    await svc.audit.append(
      {
        stream: `agent:${a.agent_id}`,
        actor,
        action: live ? 'hiring.screen_reinvited' : 'hiring.screen_invited',
        subject: `application:${applicationId}`,
        payload: { invitation: id, expiresAt: expiresAt.toISOString(), byRule: options.byRule === true },
      },
      tx,
    );
    return { id, agentName: a.agent_name };
  });
  const link = invitationLink(options.base, made.agentName, token);
  const emailed = await sendInvitation(svc, options.mailer, made.id, link);
  return { invitationId: made.id, expiresAt, link, emailed };
}

async function sendInvitation(
  svc: Services,
  mailer: HiringMailer | null,
  invitationId: string,
  link: string,
): Promise<boolean> {
  if (!mailer) return false;
  const [row] = await svc.db.query<{
    name: string;
    email: string;
    title: string;
    display_name: string;
    expires_at: Date;
    config: { email?: { address?: string; name?: string } };
  }>(
    `UPDATE hiring_screen_invitations i SET email_sent_at = $2 FROM hiring_applications a, hiring_jobs j, agents g
     WHERE i.id = $1 AND i.email_sent_at IS NULL AND i.status = 'sent' AND a.id = i.application_id
       AND j.id = a.job_id AND g.id = i.agent_id
     RETURNING a.name, a.email, j.title, g.display_name, g.config, i.expires_at`,
    [invitationId, svc.clock.now()],
  );
  if (!row) return false;
  try {
    await mailer.send({
      from: { name: row.config?.email?.name ?? row.display_name, address: row.config?.email?.address ?? '' },
      to: row.email,
      subject: `Choose a time for your phone screen: ${row.title}`,
      text: invitationText({
        name: row.name,
        company: row.display_name,
        job: row.title,
        link,
        expiresAt: row.expires_at,
      }),
    });
    return true;
  } catch {
    await svc.db.query('UPDATE hiring_screen_invitations SET email_sent_at = NULL WHERE id = $1', [
      invitationId,
    ]);
    return false;
  }
}

interface Opened extends InvitationRow {
  agent_name: string;
  company: string;
  job_title: string;
  rubric: Rubric;
  name: string;
  email: string;
  phone: string | null;
}

/** The invitation a token opens on this agent's career site: not_found for any wrong token, 410 once expired. */
async function openInvitation(q: Queryable, agentName: string, token: string, now: Date, lock = false) {
  const [row] = await q.query<Opened>(
    `SELECT i.*, g.name AS agent_name, g.display_name AS company, j.title AS job_title, j.rubric, a.name, a.email,
       a.phone
     FROM hiring_screen_invitations i JOIN agents g ON g.id = i.agent_id
       JOIN hiring_applications a ON a.id = i.application_id JOIN hiring_jobs j ON j.id = a.job_id
     WHERE i.token_hash = $1 AND g.name = $2 AND a.erased_at IS NULL ${lock ? 'FOR UPDATE OF i' : ''}`,
    [tokenHash(token), agentName],
  );
  if (!row || row.status === 'cancelled') throw new AppError('invitation_invalid');
  if (row.status === 'sent' && row.expires_at.getTime() <= now.getTime())
    throw new AppError('invitation_expired');
  return row;
}

export const TokenSchema = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'the link’s token'),
});
export const BookScreenSchema = TokenSchema.extend({
  start: z.iso.datetime({ offset: true }),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()-]{5,30}$/, 'a phone number'),
}).strict();

/** What the career page shows for a token: the job, the free times (the next few days), or what was chosen. */
export async function invitationPage(svc: Services, agentName: string, token: string) {
  const now = svc.clock.now();
  const inv = await openInvitation(svc.db, agentName, token, now);
  const setup = await screenSetupOf(svc.db, inv.agent_id);
  const screen = await latestScreen(svc.db, inv.application_id);
  const zone = setup?.profile.timezone ?? 'UTC';
  const base = {
    company: inv.company,
    job: inv.job_title,
    firstName: inv.name.split(/\s+/)[0] ?? '',
    phone: inv.phone ?? '',
    status: inv.status,
    expiresAt: inv.expires_at.toISOString(),
    timezone: zone,
    durationMin: setup?.service.durationMin ?? 20,
    booked:
      inv.status === 'booked' && screen
        ? { start: screen.scheduledAt.toISOString(), local: localLabel(screen.scheduledAt, zone) }
        : null,
  };
  if (inv.status !== 'sent' || !setup) return { ...base, slots: [] };
  const today = DateTime.fromJSDate(now, { zone }).toISODate()!;
  const last = DateTime.fromISO(today, { zone })
    .plus({ days: SLOT_DAYS - 1 })
    .toISODate()!;
  const slots = await searchSlots(svc.db, inv.agent_id, now, {
    serviceId: setup.service.id,
    from: today,
    to: last,
    limit: 400,
  });
  // One entry per start time (any free line takes it), as the candidate's wall clock in the business's zone.
  const seen = new Set<number>();
  const out: { start: string; day: string; time: string }[] = [];
  for (const s of slots) {
    if (seen.has(s.start.getTime())) continue;
    seen.add(s.start.getTime());
    const local = DateTime.fromJSDate(s.start, { zone });
    out.push({
      start: local.toISO({ suppressMilliseconds: true })!,
      day: local.setLocale('en-GB').toFormat('cccc d LLLL'),
      time: local.toFormat('HH:mm'),
    });
  }
  return { ...base, slots: out };
}

const localLabel = (at: Date, zone: string) =>
  DateTime.fromJSDate(at, { zone }).setLocale('en-GB').toFormat("cccc d LLLL 'at' HH:mm");

/** The rubric's questions, must-haves first, with the labels people read. */
export function questionsOf(rubric: Rubric): ScreenQuestion[] {
  const byId = new Map(rubric.criteria.map((c) => [c.id, c]));
  return screenQuestions(rubric).map((q) => {
    const c = byId.get(q.criterionId)!;
    return { criterionId: q.criterionId, label: c.label, required: c.required, question: q.question };
  });
}

/**
 * The candidate books a time: the shared bookings refuse a taken line (slot_taken with the next free times), and the
 * same invitation booking twice answers the same screen (the booking's idempotency key is the invitation's id).
 */
export async function screenBooker(
  svc: Services,
  agentName: string,
  input: z.input<typeof BookScreenSchema>,
): Promise<{ start: string; local: string }> {
  const body = BookScreenSchema.parse(input);
  const now = svc.clock.now();
  const inv = await openInvitation(svc.db, agentName, body.token, now);
  const setup = await screenSetupOf(svc.db, inv.agent_id);
  if (!setup) throw new AppError('screen_not_set_up');
  const start = new Date(body.start);
  if (inv.status === 'booked') {
    const screen = await latestScreen(svc.db, inv.application_id);
    if (screen && screen.scheduledAt.getTime() === start.getTime())
      return { start: screen.scheduledAt.toISOString(), local: localLabel(start, setup.profile.timezone) };
    throw new AppError('invalid_state', 'a time is already booked; ask for a person to change it');
  }
  if (inv.status !== 'sent') throw new AppError('invalid_state', 'this invitation is closed');
  if (start.getTime() > now.getTime() + SLOT_DAYS * DAY_MS)
    throw new AppError('slot_unavailable', 'choose a time in the next few days', { reason: 'too_far' });
  const booking = await bookingCreator(svc, 'candidate', inv.agent_id, {
    serviceId: setup.service.id,
    start: body.start,
    customer: { name: inv.name.slice(0, 200), phone: body.phone, email: inv.email },
    channel: 'phone_screen',
    idempotencyKey: `screen-invitation:${inv.id}`,
  });
  const kept = await svc.db.transaction(async (tx) => {
    const current = await openInvitation(tx, agentName, body.token, now, true);
    if (current.status !== 'sent' && current.status !== 'booked') return false;
    await tx.query(
      `UPDATE hiring_screen_invitations SET status = 'booked', updated_at = $2 WHERE id = $1 AND status = 'sent'`,
      [inv.id, now],
    );
    const [screen] = await tx.query<{ id: string }>(
      `INSERT INTO hiring_screens (agent_id, application_id, invitation_id, booking_id, scheduled_at, questions,
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
       ON CONFLICT (invitation_id) DO NOTHING RETURNING id`,
      [
        inv.agent_id,
        inv.application_id,
        inv.id,
        booking.id,
        booking.start,
        JSON.stringify(questionsOf(inv.rubric)),
        now,
      ],
    );
    if (screen)
      await svc.audit.append(
        {
          stream: `agent:${inv.agent_id}`,
          actor: 'candidate',
          action: 'hiring.screen_booked',
          subject: `application:${inv.application_id}`,
          payload: { screen: screen.id, booking: booking.code, start: booking.start.toISOString() },
        },
        tx,
      );
    return true;
  });
  if (!kept) {
    // The invitation closed while the booking was made (a person asked for meanwhile): its time is freed again.
    await bookingCanceller(svc, 'candidate', inv.agent_id, {
      code: booking.code,
      idempotencyKey: `screen-invitation-cancel:${inv.id}`,
      reason: 'invitation closed',
    });
    throw new AppError('invalid_state', 'this invitation is closed');
  }
  return { start: booking.start.toISOString(), local: localLabel(booking.start, setup.profile.timezone) };
}

const PERSON_NOTE = 'Asked for a person instead of the AI phone screen.';

/** Marks the application for a person (the recruiter's human task): the card and the candidate list show it. */
async function handToPerson(
  svc: Services,
  tx: Queryable,
  agentId: string,
  applicationId: string,
  actor: Actor,
  why: string,
) {
  await tx.query(
    `UPDATE hiring_applications SET human_review_requested_at = coalesce(human_review_requested_at, $2),
       review_note = coalesce(review_note, $3), updated_at = $2 WHERE id = $1 AND erased_at IS NULL`,
    [applicationId, svc.clock.now(), PERSON_NOTE],
  );
  await svc.audit.append(
    {
      stream: `agent:${agentId}`,
      actor,
      action: 'hiring.screen_person_requested',
      subject: `application:${applicationId}`,
      payload: { why },
    },
    tx,
  );
}

/** The candidate asks for a person instead (before or after booking): no AI screen, a person's task. */
export async function screenPersonRequester(svc: Services, agentName: string, token: string): Promise<void> {
  const now = svc.clock.now();
  const cancelled = await svc.db.transaction(async (tx) => {
    const inv = await openInvitation(tx, agentName, token, now, true);
    if (inv.status === 'person_requested') return null;
    await tx.query(
      `UPDATE hiring_screen_invitations SET status = 'person_requested', updated_at = $2 WHERE id = $1`,
      [inv.id, now],
    );
    const [screen] = await tx.query<{ booking_code: string }>(
      `UPDATE hiring_screens s SET status = 'cancelled', status_reason = 'the candidate asked for a person',
         updated_at = $2 FROM bookings b
       WHERE s.invitation_id = $1 AND s.status = 'scheduled' AND b.id = s.booking_id RETURNING b.code AS booking_code`,
      [inv.id, now],
    );
    await handToPerson(svc, tx, inv.agent_id, inv.application_id, 'candidate', 'career page');
    return screen ? { agentId: inv.agent_id, code: screen.booking_code, id: inv.id } : null;
  });
  if (cancelled)
    await bookingCanceller(svc, 'candidate', cancelled.agentId, {
      code: cancelled.code,
      idempotencyKey: `screen-invitation-cancel:${cancelled.id}`,
      reason: 'the candidate asked for a person',
    });
}

/** The recruiter's rule: qualified candidates (never below the threshold) not invited yet get an invitation. */
export async function inviteByRule(
  svc: Services,
  options: { base: string; mailer: HiringMailer | null; limit?: number },
): Promise<{ invited: number }> {
  const due = await svc.db.query<{ id: string }>(
    `SELECT a.id FROM hiring_applications a JOIN agents g ON g.id = a.agent_id
     WHERE g.kind = 'hiring' AND (g.config -> 'screen' ->> 'autoInvite') = 'true'
       AND a.erased_at IS NULL AND a.status = 'scored' AND a.qualified IS TRUE AND a.stage = 'applied'
       AND NOT EXISTS (SELECT 1 FROM hiring_screen_invitations i WHERE i.application_id = a.id)
     ORDER BY a.updated_at LIMIT $1`,
    [options.limit ?? 100],
  );
  let invited = 0;
  for (const { id } of due) {
    try {
      await screenInviter(svc, 'rule', id, { ...options, byRule: true });
      invited++;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
  }
  return { invited };
}

// ---------------------------------------------------------------------------------------------------------------
// The call

export type ScreenStatus =
  | 'scheduled'
  | 'calling'
  | 'completed'
  | 'declined'
  | 'no_answer'
  | 'failed'
  | 'cancelled';

export interface Screen {
  id: string;
  agentId: string;
  applicationId: string;
  invitationId: string;
  scheduledAt: Date;
  status: ScreenStatus;
  statusReason: string | null;
  questions: ScreenQuestion[];
  vapiCallId: string | null;
  transcript: string | null;
  assessment: ScreenAssessment | null;
  summary: string | null;
  endedReason: string | null;
  reportAt: Date | null;
}

function screenOf(r: Record<string, unknown>): Screen {
  return {
    id: r.id as string,
    agentId: r.agent_id as string,
    applicationId: r.application_id as string,
    invitationId: r.invitation_id as string,
    scheduledAt: r.scheduled_at as Date,
    status: r.status as ScreenStatus,
    statusReason: (r.status_reason as string | null) ?? null,
    questions: r.questions as ScreenQuestion[],
    vapiCallId: (r.vapi_call_id as string | null) ?? null,
    transcript: (r.transcript as string | null) ?? null,
    assessment: (r.assessment as ScreenAssessment | null) ?? null,
    summary: (r.summary as string | null) ?? null,
    endedReason: (r.ended_reason as string | null) ?? null,
    reportAt: (r.report_at as Date | null) ?? null,
  };
}

export async function latestScreen(q: Queryable, applicationId: string): Promise<Screen | null> {
  const [row] = await q.query(
    'SELECT * FROM hiring_screens WHERE application_id = $1 ORDER BY created_at DESC, id LIMIT 1',
    [applicationId],
  );
  return row ? screenOf(row) : null;
}

/**
 * Places the due calls: each due screen is claimed once (a conditional update under SKIP LOCKED), then POST /call.
 * A refusal from Vapi fails the screen; a 5xx or no answer puts it back until 30 minutes past its time. A claim never
 * confirmed (the node died between claim and answer) is failed after the lease, never dialled a second time.
 */
export async function screenCallPlacer(
  svc: Services,
  config: ScreenCallConfig,
  fetchImpl: typeof fetch = fetch,
): Promise<{ placed: number; failed: number; skipped?: string }> {
  const unavailable = callsUnavailable(config);
  if (unavailable) return { placed: 0, failed: 0, skipped: unavailable };
  const now = svc.clock.now();
  await svc.db.query(
    `UPDATE hiring_screens SET status = 'failed', status_reason = 'the call was not confirmed placed', updated_at = $1
     WHERE status = 'calling' AND vapi_call_id IS NULL AND call_claimed_at < $2`,
    [now, new Date(now.getTime() - CALL_LEASE_MS)],
  );
  const claimed = await svc.db.query<Record<string, unknown>>(
    `UPDATE hiring_screens SET status = 'calling', call_claimed_at = $1, updated_at = $1
     WHERE id IN (SELECT id FROM hiring_screens WHERE status = 'scheduled' AND scheduled_at <= $1
                  ORDER BY scheduled_at LIMIT 20 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [now],
  );
  let placed = 0;
  let failed = 0;
  for (const row of claimed) {
    const screen = screenOf(row);
    const [who] = await svc.db.query<{ name: string; phone: string | null; title: string; company: string }>(
      `SELECT a.name, b.customer ->> 'phone' AS phone, j.title, g.display_name AS company
       FROM hiring_applications a JOIN hiring_jobs j ON j.id = a.job_id JOIN agents g ON g.id = a.agent_id
         JOIN hiring_screens s ON s.application_id = a.id JOIN bookings b ON b.id = s.booking_id
       WHERE s.id = $1 AND a.erased_at IS NULL`,
      [screen.id],
    );
    const finish = async (status: ScreenStatus, reason: string | null, callId: string | null) => {
      await svc.db.transaction(async (tx) => {
        await tx.query(
          `UPDATE hiring_screens SET status = $2, status_reason = $3, vapi_call_id = coalesce($4, vapi_call_id),
             updated_at = $5 WHERE id = $1`,
          [screen.id, status, reason, callId, svc.clock.now()],
        );
        if (status !== 'scheduled')
          await svc.audit.append(
            {
              stream: `agent:${screen.agentId}`,
              actor: 'system',
              action: callId ? 'hiring.screen_call_placed' : 'hiring.screen_call_failed',
              subject: `application:${screen.applicationId}`,
              payload: { screen: screen.id, ...(callId ? { call: callId } : { reason }) },
            },
            tx,
          );
      });
    };
    if (!who?.phone) {
      await finish('failed', 'no phone number to call', null);
      failed++;
      continue;
    }
    try {
      const callId = await placeScreenCall(
        config,
        {
          screenId: screen.id,
          candidate: { name: who.name, phone: who.phone },
          company: who.company,
          job: who.title,
          questions: screen.questions,
        },
        fetchImpl,
      );
      await finish('calling', null, callId);
      placed++;
    } catch (err) {
      const e = err instanceof VapiCallError ? err : new VapiCallError(String(err), false);
      const late = now.getTime() - screen.scheduledAt.getTime() > RETRY_WINDOW_MS;
      if (e.permanent || late) {
        await finish('failed', e.message.slice(0, 500), null);
        failed++;
      } else await finish('scheduled', e.message.slice(0, 500), null);
    }
  }
  return { placed, failed };
}

/** The screen a Vapi call belongs to: by call id, else the assistant's metadata (a call not placed by Twelve: null). */
export async function screenForCall(
  q: Queryable,
  callId: string,
  screenIdHint: string | null,
): Promise<Screen | null> {
  const [row] = await q.query(
    `SELECT * FROM hiring_screens WHERE vapi_call_id = $1
       OR ($2::text IS NOT NULL AND id::text = $2 AND (vapi_call_id IS NULL OR vapi_call_id = $1)) LIMIT 1`,
    [callId, screenIdHint],
  );
  return row ? screenOf(row) : null;
}

/** The request_person tool during the call: the AI screen ends there and a person takes over. */
export async function callPersonRequester(svc: Services, screen: Screen): Promise<void> {
  await svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      `UPDATE hiring_screens SET status = 'declined', status_reason = 'the candidate asked for a person on the call',
         updated_at = $2 WHERE id = $1 AND status IN ('scheduled', 'calling') RETURNING id`,
      [screen.id, svc.clock.now()],
    );
    if (row) await handToPerson(svc, tx, screen.agentId, screen.applicationId, 'candidate', 'on the call');
  });
}

export interface CallReport {
  callId: string;
  endedReason: string | null;
  transcript: string;
}

const NOT_REACHED = new Set([
  'customer-busy',
  'customer-did-not-answer',
  'voicemail',
  'twilio-reported-customer-misdialed',
  'manually-canceled',
]);

/** Our own summary, from the assessment only (Vapi's analysis summary is never kept: it may speak of tone). */
export function screenSummary(status: ScreenStatus, a: ScreenAssessment | null, why?: string | null): string {
  if (status === 'declined')
    return 'The candidate did not consent to the AI screen or asked for a person: a person follows up.';
  if (status === 'no_answer') return `The call did not reach the candidate${why ? ` (${why})` : ''}.`;
  if (!a) return 'No assessment.';
  const n = (v: string) => a.questions.filter((q) => q.verdict === v).length;
  return `${n('answered')} of ${a.questions.length} questions answered, ${n('partly')} partly, ${n('not_answered')} not answered. A person reads the transcript and decides.`;
}

/**
 * Vapi's end-of-call-report: stored once (a redelivery finds report_at set and changes nothing). The transcript is
 * kept; the assessment is computed from it (the offline assessor, or `assess` when given: the LLM one) and held to
 * the transcript; consent is read from the candidate's first answer, outside the model: anything but a clear yes
 * leaves no assessment and hands the candidate to a person.
 */
export async function screenReportRecorder(
  svc: Services,
  screen: Screen,
  report: CallReport,
  criteria: Criterion[],
  assess?: (transcript: string, questions: ScreenQuestion[]) => Promise<ScreenAssessment>,
): Promise<{ recorded: boolean; screen: Screen }> {
  if (screen.reportAt) return { recorded: false, screen };
  const transcript = report.transcript.slice(0, 500_000);
  const spoke = turnsOf(transcript).some((t) => t.role === 'user');
  let assessment: ScreenAssessment | null = null;
  let status: ScreenStatus;
  if (!spoke && (!report.endedReason || NOT_REACHED.has(report.endedReason))) status = 'no_answer';
  else if (!spoke) status = 'failed';
  else {
    const local = assessTranscript(transcript, screen.questions, criteria);
    if (local.consent !== 'given' || screen.status === 'declined') status = 'declined';
    else {
      status = 'completed';
      let proposed = local;
      if (assess) proposed = await assess(transcript, screen.questions).catch(() => local);
      const flags = [...new Set([...local.flags, ...proposed.flags])];
      assessment = groundedAssessment(transcript, { ...proposed, consent: 'given', flags });
    }
  }
  const summary = screenSummary(status, assessment, report.endedReason);
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query<Record<string, unknown>>(
      `UPDATE hiring_screens SET status = $2, transcript = $3, assessment = $4, summary = $5, ended_reason = $6,
         report_at = $7, vapi_call_id = coalesce(vapi_call_id, $8), updated_at = $7
       WHERE id = $1 AND report_at IS NULL RETURNING *`,
      [
        screen.id,
        status,
        transcript,
        assessment ? JSON.stringify(assessment) : null,
        summary,
        report.endedReason,
        svc.clock.now(),
        report.callId,
      ],
    );
    if (!row) return { recorded: false, screen: (await latestScreenById(tx, screen.id)) ?? screen };
    if (status === 'declined' && screen.status !== 'declined')
      await handToPerson(
        svc,
        tx,
        screen.agentId,
        screen.applicationId,
        'system',
        'consent not given on the call',
      );
    const counts = assessment
      ? Object.fromEntries(
          ['answered', 'partly', 'not_answered'].map((v) => [
            v,
            assessment!.questions.filter((q) => q.verdict === v).length,
          ]),
        )
      : {};
    await svc.audit.append(
      {
        stream: `agent:${screen.agentId}`,
        actor: 'system',
        action: 'hiring.screen_reported',
        subject: `application:${screen.applicationId}`,
        payload: { screen: screen.id, status, endedReason: report.endedReason, ...counts },
      },
      tx,
    );
    return { recorded: true, screen: screenOf(row) };
  });
}

async function latestScreenById(q: Queryable, id: string): Promise<Screen | null> {
  const [row] = await q.query('SELECT * FROM hiring_screens WHERE id = $1', [id]);
  return row ? screenOf(row) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Views and erasure

/** The screen block of the candidate page: the invitation, the screen, its assessment and transcript. */
export async function screenView(q: Queryable, applicationId: string) {
  const [inv] = await q.query<InvitationRow>(
    `SELECT * FROM hiring_screen_invitations WHERE application_id = $1 ORDER BY created_at DESC, id LIMIT 1`,
    [applicationId],
  );
  if (!inv) return null;
  const screen = await latestScreen(q, applicationId);
  return {
    invitation: {
      id: inv.id,
      status: inv.status,
      invitedBy: inv.invited_by,
      expiresAt: inv.expires_at.toISOString(),
      emailed: inv.email_sent_at !== null,
      createdAt: inv.created_at.toISOString(),
    },
    status: screen?.status ?? (inv.status === 'person_requested' ? 'declined' : 'invited'),
    summary:
      screen?.summary ?? (inv.status === 'person_requested' ? 'The candidate asked for a person.' : null),
    scheduledAt: screen?.scheduledAt.toISOString() ?? null,
    statusReason: screen?.statusReason ?? null,
    questions: screen?.questions ?? [],
    assessment: screen?.assessment ?? null,
    transcript: screen?.transcript ?? null,
    endedReason: screen?.endedReason ?? null,
    reportAt: screen?.reportAt?.toISOString() ?? null,
  };
}

/** Part of a candidate's erasure (in its transaction): screens, transcripts, invitations, and the booking's contact. */
export async function eraseScreens(tx: Queryable, applicationId: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE bookings SET customer = '{"name":"[erased]"}'::jsonb,
       status = CASE WHEN status = 'cancelled' OR starts_at <= $2 THEN status ELSE 'cancelled' END, updated_at = $2
     WHERE id IN (SELECT booking_id FROM hiring_screens WHERE application_id = $1)`,
    [applicationId, now],
  );
  await tx.query('DELETE FROM hiring_screens WHERE application_id = $1', [applicationId]);
  await tx.query('DELETE FROM hiring_screen_invitations WHERE application_id = $1', [applicationId]);
}
