// The audit trail over HTTP: browse events newest first (keyset paging on the id), verify every chain and
// checkpoint, and export the whole trail as JSONL, streamed so an export never holds the trail in memory.
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import {
  ANCHOR_VERSION,
  type Anchor,
  AnchorError,
  type AnchorKey,
  takeAnchor,
  verifyWithAnchors,
} from '../../audit/anchor.ts';
import { HOT_ACTIONS, HOT_ACTIONS_EXCLUDED, presentAuditRow } from '../../audit/log.ts';
import { exportAudit, verifyAudit } from '../../audit/verify.ts';
import { AppError } from '../../errors.ts';
import type { Queryable } from '../../store/db.ts';
import { Paging, route } from '../http.ts';
import { presentAuditEvent } from '../presenters.ts';

const AuditQuery = Paging.extend({
  stream: z.string().min(1).max(200).optional(),
  subject: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(200).optional(),
  actor: z.string().min(1).max(400).optional(),
  /** Keyset paging: events with a smaller id than this (the last id of the previous page). */
  before: z.coerce.number().int().min(1).optional(),
}).strict();
export type AuditFilter = z.infer<typeof AuditQuery>;

/** The listing's statement for a filter (exported for the test that checks which indexes it can use). */
export function auditListQuery(filter: AuditFilter): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [col, v] of [
    ['stream', filter.stream],
    ['actor', filter.actor],
  ] as const) {
    if (v === undefined) continue;
    params.push(v);
    where.push(`${col} = $${params.length}`);
  }
  // The lookup indexes leave out a run's own events and the per-step actions (migration 032): say which part is
  // asked for, so that the planner can use them.
  if (filter.subject !== undefined) {
    params.push(filter.subject);
    const n = params.length;
    where.push(`((subject = $${n} AND subject <> stream) OR (stream = $${n} AND subject = stream))`);
  }
  if (filter.action !== undefined) {
    params.push(filter.action);
    where.push(
      HOT_ACTIONS.includes(filter.action)
        ? `action = $${params.length}`
        : `action = $${params.length} AND ${HOT_ACTIONS_EXCLUDED}`,
    );
  }
  if (filter.before !== undefined) {
    params.push(filter.before);
    where.push(`id < $${params.length}`);
  }
  params.push(filter.limit);
  return {
    sql: `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  };
}

async function listAuditEvents(q: Queryable, filter: AuditFilter) {
  const { sql, params } = auditListQuery(filter);
  return (await q.query(sql, params)).map(presentAuditRow);
}

const HEX64 = /^[0-9a-f]{64}$/;
const AnchorSchema = z
  .object({
    anchor: z.literal(ANCHOR_VERSION),
    checkpoint: z.number().int().min(1),
    at: z.string().max(40),
    hash: z.string().regex(HEX64),
    key: z.string().max(64),
    signature: z.string().regex(HEX64),
  })
  .strict();
const VerifyBody = z.object({ anchors: z.array(AnchorSchema).max(1000).optional() }).strict();

export function registerAuditRoutes(
  server: FastifyInstance,
  app: App,
  anchorKey: () => AnchorKey | null = () => null,
): void {
  const key = (): AnchorKey => {
    const found = anchorKey();
    if (!found)
      throw new AppError('invalid_state', 'this server has no audit anchor key (TWELVE_AUDIT_ANCHOR_KEY)');
    return found;
  };

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/audit',
      summary:
        'Audit events, newest first; filter by stream, subject, action or actor; page with before=<id>',
      tags: ['audit'],
      permission: 'audit.read',
      query: AuditQuery,
    },
    async ({ query }) => {
      const events = await listAuditEvents(app.db, query);
      const last = events[events.length - 1];
      return {
        events: events.map(presentAuditEvent),
        nextBefore: events.length === query.limit && last ? last.id : null,
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/audit/verify',
      summary:
        'Verify every hash chain and checkpoint, and that the trail still holds the anchors given ({"anchors": [...]}); reports the first broken link',
      tags: ['audit'],
      permission: 'audit.verify',
      body: VerifyBody,
    },
    async ({ body }) =>
      body.anchors?.length
        ? verifyWithAnchors(app.db, body.anchors as Anchor[], key().key)
        : verifyAudit(app.db),
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/audit/anchor',
      summary:
        'Seal the heads in a fresh checkpoint and answer a signed anchor of the newest checkpoint, to keep outside the database',
      tags: ['audit'],
      permission: 'audit.anchor',
    },
    async () => {
      const signing = key();
      return takeAnchor(app.db, app.clock, signing.key).catch((err: unknown) => {
        if (err instanceof AnchorError) throw new AppError('invalid_state', err.message);
        throw err;
      });
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/audit/export',
      summary: 'Download the whole audit trail as JSONL (one event per line, in insertion order)',
      tags: ['audit'],
      permission: 'audit.export',
    },
    async ({ reply, req }) => {
      const out = new PassThrough();
      const day = app.clock.now().toISOString().slice(0, 10);
      reply
        .header('content-type', 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="twelve-audit-${day}.jsonl"`)
        .send(out);
      // The export runs while the client reads; waiting for drain keeps a slow client from buffering the trail,
      // and a client that goes away stops the export instead of leaving it waiting for a drain that never comes.
      const gone = new Error('the client closed the export');
      exportAudit(app.db, (line) => {
        if (out.destroyed) throw gone;
        if (!out.write(`${line}\n`))
          return new Promise<void>((r) => {
            out.once('drain', r);
            out.once('close', r);
          });
      }).then(
        () => out.end(),
        (err: unknown) => {
          if (err === gone) return;
          // Headers are gone by now; cutting the stream is the only honest signal of an incomplete file.
          req.log.error({ err }, 'audit export failed');
          out.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
      return reply;
    },
  );
}
