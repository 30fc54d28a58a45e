// An agent's phone calls (voice is a platform channel: src/channels/voice/), newest first, for the dashboard's call
// log: when, who called, how long and how it ended, what it cost, Vapi's summary and transcript, and the outcome in
// platform terms (the tools that succeeded during the call's runs, whether a person was asked to take over).
// Paged by an opaque cursor over (created_at, call_id), so a page never repeats or skips a call.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { AppError } from '../../errors.ts';
import { findAgent } from '../../runtime/agents.ts';
import { AgentParam, route } from '../http.ts';

const CallsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The `next` of the previous page. */
    before: z.string().max(300).optional(),
  })
  .strict();

interface Cursor {
  at: string;
  callId: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.callId])).toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const [at, callId] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && typeof callId === 'string' && !Number.isNaN(Date.parse(at)))
      return { at, callId };
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'before is not a cursor this server gave out', [
    { path: 'query.before', message: 'use the `next` of the previous page' },
  ]);
}

const iso = (v: unknown) =>
  v instanceof Date ? v.toISOString() : v ? new Date(String(v)).toISOString() : null;

export function registerCallRoutes(server: FastifyInstance, app: App): void {
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/calls',
      summary: "An agent's phone calls, newest first; page with before=<next>",
      tags: ['voice'],
      permission: 'runs.read',
      params: AgentParam,
      query: CallsQuery,
    },
    async ({ params, query }) => {
      const agent = await findAgent(app.db, params.agent);
      const cursor = query.before === undefined ? null : decodeCursor(query.before);
      const args: unknown[] = [agent.id, query.limit + 1];
      let after = '';
      if (cursor) {
        args.push(cursor.at, cursor.callId);
        after = 'AND (created_at, call_id) < ($3::timestamptz, $4)';
      }
      const rows = await app.db.query<Record<string, unknown>>(
        `SELECT * FROM voice_calls WHERE agent_id = $1 ${after}
         ORDER BY created_at DESC, call_id DESC LIMIT $2`,
        args,
      );
      const page = rows.slice(0, query.limit);
      const conversations = page.map((r) => String(r.conversation_id));
      const [tools, escalated] = conversations.length
        ? await Promise.all([
            app.db.query<{ conversation_id: string; tool: string }>(
              `SELECT DISTINCT r.conversation_id, tc.tool FROM runs r JOIN tool_calls tc ON tc.run_id = r.id
               WHERE r.agent_id = $1 AND r.conversation_id = ANY($2::text[]) AND tc.status = 'succeeded'
               ORDER BY tc.tool`,
              [agent.id, conversations],
            ),
            app.db.query<{ conversation_id: string }>(
              `SELECT DISTINCT conversation_id FROM escalations
               WHERE agent_id = $1 AND conversation_id = ANY($2::text[]) AND kind = 'escalation'`,
              [agent.id, conversations],
            ),
          ])
        : [[], []];
      const toolsOf = new Map<string, string[]>();
      for (const t of tools)
        toolsOf.set(t.conversation_id, [...(toolsOf.get(t.conversation_id) ?? []), t.tool]);
      const escalatedSet = new Set(escalated.map((e) => e.conversation_id));
      const last = rows.length > query.limit ? page[page.length - 1] : undefined;
      return {
        calls: page.map((r) => {
          const startedAt = iso(r.started_at);
          const endedAt = iso(r.ended_at);
          const conversationId = String(r.conversation_id);
          return {
            callId: String(r.call_id),
            conversationId,
            customerNumber: (r.customer_number as string | null) ?? null,
            status: (r.status as string | null) ?? null,
            endedReason: (r.ended_reason as string | null) ?? null,
            startedAt,
            endedAt,
            durationSec:
              startedAt && endedAt
                ? Math.max(0, Math.round((Date.parse(endedAt) - Date.parse(startedAt)) / 1000))
                : null,
            cost: r.cost === null || r.cost === undefined ? null : Number(r.cost),
            summary: (r.summary as string | null) ?? null,
            transcript: (r.transcript as string | null) ?? null,
            recordingUrl: (r.recording_url as string | null) ?? null,
            outcome: {
              tools: toolsOf.get(conversationId) ?? [],
              escalated: escalatedSet.has(conversationId),
            },
            createdAt: iso(r.created_at),
          };
        }),
        next: last ? encodeCursor({ at: iso(last.created_at)!, callId: String(last.call_id) }) : null,
      };
    },
  );
}
