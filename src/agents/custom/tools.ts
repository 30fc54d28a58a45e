// The demo toolbox of custom agents: one tool per risk class, with real effects in the database, so the guardrails
// can be seen end to end (a write in pilot waits for approval, a delete always does, shadow only records).
import { z } from 'zod';
import { defineTool, ToolRegistry } from '../../runtime/tools.ts';
import type { Queryable } from '../../store/db.ts';

export function buildDemoTools(db: Queryable): ToolRegistry {
  return new ToolRegistry([
    defineTool({
      name: 'notes.search',
      description: 'Searches the agent notes',
      risk: 'read',
      input: z.object({ query: z.string().max(200) }).strict(),
      handler: async ({ query }, ctx) => {
        const rows = await db.query<{ id: string; body: string }>(
          `SELECT id, body FROM demo_notes WHERE agent_id = $1 AND body ILIKE '%' || $2 || '%' ORDER BY created_at LIMIT 20`,
          [ctx.agentId, query],
        );
        return { notes: rows };
      },
    }),
    defineTool({
      name: 'notes.create',
      description: 'Writes a note',
      risk: 'write',
      input: z.object({ body: z.string().min(1).max(2000) }).strict(),
      handler: async ({ body }, ctx) => {
        // The idempotency key makes a retried call return the first note instead of writing a second one.
        const [row] = await db.query<{ id: string }>(
          `INSERT INTO demo_notes (agent_id, body, idempotency_key) VALUES ($1, $2, $3)
           ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key RETURNING id`,
          [ctx.agentId, body, ctx.idempotencyKey],
        );
        return { id: row!.id };
      },
    }),
    defineTool({
      name: 'notes.delete',
      description: 'Deletes a note',
      risk: 'destructive',
      input: z.object({ id: z.string().uuid() }).strict(),
      handler: async ({ id }, ctx) => {
        const rows = await db.query('DELETE FROM demo_notes WHERE id = $1 AND agent_id = $2 RETURNING id', [
          id,
          ctx.agentId,
        ]);
        return { deleted: rows.length };
      },
    }),
    defineTool({
      name: 'demo.send_sms',
      description: 'Pretends to send a paid SMS (costs 5 cents; nothing leaves the machine)',
      risk: 'spend',
      input: z.object({ to: z.string().regex(/^\+[0-9]{6,15}$/), text: z.string().min(1).max(320) }).strict(),
      costCents: () => 5,
      handler: async ({ to }) => ({ queued: true, to }),
    }),
  ]);
}
