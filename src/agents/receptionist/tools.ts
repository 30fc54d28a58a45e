// The receptionist's tools, as the runtime calls them (a brain's action, a Vapi tool call through the runtime):
// availability.search (read), booking.create and booking.reschedule (write), booking.cancel (destructive). Each
// handler is a thin call of a bookings.ts command; the tool call's idempotency key (stable across a resumed run
// or a redelivered webhook) is the booking command's, so a call made twice books once. Services and resources are
// named by id or by name (case-insensitive), as a dialogue hears them. The booking's channel and conversation come
// from the run, so the reminder goes back where the customer asked.
//
// kb.question (read) answers a caller's question from the agent's knowledge base (src/knowledge), with the same
// threshold the dialogue uses, for the phone's model to say; below it, it says a person will answer.
//
// Readiness: booking.create is a write, so in pilot the runtime asks a person to approve it. While the approval
// waits, the slot is held: the tool's `hold` (runtime/tools.ts) books it `tentative` with the call's idempotency key,
// lapsing when the approval would expire (bookings.ts skips and then cancels a lapsed hold). The approved call's
// handler finds that booking by the same key and confirms it; a denied or expired approval's `release` cancels it.
// A slot that has gone by the time of the hold is the call's result (slot_taken with alternatives), and no person
// is asked. In shadow the runtime records the call and nothing is booked.

import { z } from 'zod';
import {
  availability,
  bookingByRequest,
  bookingCanceller,
  bookingCreator,
  bookingRescheduler,
  confirmBooking,
  loadBusiness,
  localIso,
  slotPresenter,
} from '../../business/bookings.ts';
import { listResources, listServices } from '../../business/profile.ts';
import type { Services } from '../../context.ts';
import { AppError } from '../../errors.ts';
import type { Knowledge } from '../../knowledge/knowledge.ts';
import { DateTime } from '../../luxon.ts';
import { defineTool, type ToolContext, ToolRegistry } from '../../runtime/tools.ts';
import type { Booking } from './model.ts';

const Name = z.string().trim().min(1).max(100);
const Date_ = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const Customer = z
  .object({
    name: z.string().trim().min(1).max(200),
    phone: z.string().trim().min(5).max(30).optional(),
    email: z.string().trim().max(320).optional(),
  })
  .strict();

async function serviceId(svc: Services, agentId: string, nameOrId: string): Promise<string> {
  const wanted = nameOrId.toLowerCase();
  const found = (await listServices(svc.db, agentId)).find(
    (s) => s.id === nameOrId || s.name.toLowerCase() === wanted,
  );
  if (!found)
    throw new AppError('validation_failed', `no service called ${nameOrId}`, [
      { path: ['service'], message: 'not a service this business offers' },
    ]);
  return found.id;
}

async function resourceId(svc: Services, agentId: string, nameOrId?: string): Promise<string | undefined> {
  if (nameOrId === undefined) return undefined;
  const wanted = nameOrId.toLowerCase();
  const found = (await listResources(svc.db, agentId)).find(
    (r) => r.id === nameOrId || r.name.toLowerCase() === wanted,
  );
  if (!found)
    throw new AppError('validation_failed', `nobody called ${nameOrId}`, [
      { path: ['resource'], message: 'not a resource of this business' },
    ]);
  return found.id;
}

/** The run's agent name (the actor), conversation and channel. */
async function runOf(svc: Services, ctx: ToolContext) {
  const [row] = await svc.db.query<{ name: string; conversation_id: string | null; channel: string | null }>(
    `SELECT a.name, r.conversation_id, c.channel FROM runs r JOIN agents a ON a.id = r.agent_id
     LEFT JOIN conversations c ON c.id = r.conversation_id WHERE r.id = $1`,
    [ctx.runId],
  );
  return {
    actor: `agent:${row?.name ?? ctx.agentId}`,
    conversationId: row?.conversation_id ?? undefined,
    channel: row?.channel ?? undefined,
  };
}

async function present(svc: Services, agentId: string, b: Booking) {
  const { profile } = await loadBusiness(svc.db, agentId);
  return {
    code: b.code,
    status: b.status,
    serviceId: b.serviceId,
    resourceId: b.resourceId,
    start: b.start.toISOString(),
    end: b.end.toISOString(),
    localStart: localIso(b.start, profile.timezone),
    timezone: profile.timezone,
  };
}

/** What kb.question says when the knowledge base has no confident answer. */
export const KB_NO_ANSWER = "I don't have the answer to that; a colleague will get back to you.";

export function receptionistTools(svc: Services, knowledge?: Pick<Knowledge, 'answer'>): ToolRegistry {
  return new ToolRegistry([
    ...(knowledge ? [kbQuestionTool(svc, knowledge)] : []),
    defineTool({
      name: 'availability.search',
      description:
        'Finds free appointment times for a service on a day or between two days (business time zone), optionally with one person or resource',
      risk: 'read',
      input: z
        .object({
          service: Name,
          date: Date_.optional(),
          from: Date_.optional(),
          to: Date_.optional(),
          resource: Name.optional(),
          limit: z.number().int().min(1).max(100).default(3),
        })
        .strict()
        .refine((a) => a.date !== undefined || a.from !== undefined, {
          message: 'give date, or from (and to)',
        }),
      handler: async (args, ctx) => {
        const from = args.date ?? args.from!;
        const [service, resource] = await Promise.all([
          serviceId(svc, ctx.agentId, args.service),
          resourceId(svc, ctx.agentId, args.resource),
        ]);
        const { business, slots } = await availability(svc.db, ctx.agentId, svc.clock.now(), {
          serviceId: service,
          from,
          to: args.date ?? args.to ?? from,
          resourceId: resource,
          limit: args.limit,
        });
        return {
          timezone: business.profile.timezone,
          slots: slots.map(slotPresenter(business.profile.timezone)),
        };
      },
    }),
    defineTool({
      name: 'booking.create',
      description:
        'Books a free time (a slot start from availability.search) for a customer; answers the confirmation code',
      risk: 'write',
      input: z
        .object({
          service: Name,
          start: z.iso.datetime({ offset: true }),
          resource: Name.optional(),
          customer: Customer,
        })
        .strict(),
      handler: async (args, ctx) => {
        const run = await runOf(svc, ctx);
        const booking = await bookingCreator(svc, run.actor, ctx.agentId, {
          serviceId: await serviceId(svc, ctx.agentId, args.service),
          resourceId: await resourceId(svc, ctx.agentId, args.resource),
          start: args.start,
          customer: args.customer,
          channel: run.channel,
          conversationId: run.conversationId,
          idempotencyKey: ctx.idempotencyKey,
        });
        // The approved call of a held booking: the person's approval confirms the hold.
        if (booking.status === 'tentative')
          return present(
            svc,
            ctx.agentId,
            await confirmBooking(svc, run.actor, ctx.agentId, {
              code: booking.code,
              idempotencyKey: `${ctx.idempotencyKey}:confirm`,
            }),
          );
        if (booking.status === 'cancelled')
          throw new AppError('invalid_state', 'the held time was released before it was confirmed');
        return present(svc, ctx.agentId, booking);
      },
      hold: async (args, ctx) => {
        const run = await runOf(svc, ctx);
        const booking = await bookingCreator(svc, run.actor, ctx.agentId, {
          serviceId: await serviceId(svc, ctx.agentId, args.service),
          resourceId: await resourceId(svc, ctx.agentId, args.resource),
          start: args.start,
          customer: args.customer,
          channel: run.channel,
          conversationId: run.conversationId,
          idempotencyKey: ctx.idempotencyKey,
          status: 'tentative',
          holdUntil: ctx.until,
        });
        const shown = await present(svc, ctx.agentId, booking);
        const local = DateTime.fromISO(shown.localStart, { setZone: true });
        const when = `${local.toFormat('cccc d LLLL')} at ${local.toFormat(local.minute ? 'h:mma' : 'ha').toLowerCase()}`;
        return {
          held: true,
          ...shown,
          // What a voice call says while the approval waits (channels/voice/tools.ts).
          whilePending: `I've held ${when} for you. It is pending confirmation by the business, and we will let you know once it is confirmed. Your code is ${booking.code}.`,
        };
      },
      release: async (_args, ctx, why) => {
        const booking = await bookingByRequest(svc.db, ctx.agentId, ctx.idempotencyKey);
        if (booking?.status !== 'tentative') return;
        await bookingCanceller(svc, 'system', ctx.agentId, {
          code: booking.code,
          reason: why === 'denied' ? 'the business declined the held booking' : 'the hold lapsed undecided',
          idempotencyKey: `${ctx.idempotencyKey}:release`,
        });
      },
    }),
    defineTool({
      name: 'booking.reschedule',
      description: 'Moves a booking, named by its confirmation code, to another free time',
      risk: 'write',
      input: z
        .object({
          code: z.string().min(1).max(20),
          start: z.iso.datetime({ offset: true }),
          resource: Name.optional(),
        })
        .strict(),
      handler: async (args, ctx) => {
        const run = await runOf(svc, ctx);
        const booking = await bookingRescheduler(svc, run.actor, ctx.agentId, {
          code: args.code,
          start: args.start,
          resourceId: await resourceId(svc, ctx.agentId, args.resource),
          idempotencyKey: ctx.idempotencyKey,
        });
        return present(svc, ctx.agentId, booking);
      },
    }),
    defineTool({
      name: 'booking.cancel',
      description: 'Cancels a booking named by its confirmation code',
      risk: 'destructive',
      input: z.object({ code: z.string().min(1).max(20), reason: z.string().max(500).optional() }).strict(),
      handler: async (args, ctx) => {
        const run = await runOf(svc, ctx);
        const booking = await bookingCanceller(svc, run.actor, ctx.agentId, {
          code: args.code,
          reason: args.reason,
          idempotencyKey: ctx.idempotencyKey,
        });
        return present(svc, ctx.agentId, booking);
      },
    }),
  ]);
}

/** kb.question: a question answered from the agent's knowledge base, when it is confident (the agent's threshold). */
function kbQuestionTool(svc: Services, knowledge: Pick<Knowledge, 'answer'>) {
  return defineTool({
    name: 'kb.question',
    description:
      "Answers a caller's question about the business (parking, payment, policies, products...) from its knowledge base",
    risk: 'read',
    input: z.object({ question: z.string().trim().min(1).max(1000) }).strict(),
    handler: async ({ question }, ctx) => {
      const [agent] = await svc.db.query<{ confidence_threshold: number }>(
        'SELECT confidence_threshold FROM agents WHERE id = $1',
        [ctx.agentId],
      );
      const answer = await knowledge.answer(ctx.agentId, question);
      const threshold = Number(agent?.confidence_threshold ?? 1);
      if (!answer.text || answer.confidence < threshold)
        return { answered: false, spoken: KB_NO_ANSWER, confidence: answer.confidence };
      return {
        answered: true,
        spoken: answer.text,
        title: answer.title,
        sources: answer.sources,
        confidence: answer.confidence,
      };
    },
  });
}
