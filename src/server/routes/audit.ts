// The audit trail over HTTP: browse events newest first (keyset paging on the id), verify every chain and
// checkpoint, and export the whole trail as JSONL, streamed so an export never holds the trail in memory.
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { presentAuditRow } from '../../audit/log.ts';
import { exportAudit, verifyAudit } from '../../audit/verify.ts';
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
type AuditFilter = z.infer<typeof AuditQuery>;

async function listAuditEvents(q: Queryable, filter: AuditFilter) {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [col, v] of [
    ['stream', filter.stream],
    ['subject', filter.subject],
    ['action', filter.action],
    ['actor', filter.actor],
  ] as const) {
    if (v === undefined) continue;
    params.push(v);
    where.push(`${col} = $${params.length}`);
  }
  if (filter.before !== undefined) {
    params.push(filter.before);
    where.push(`id < $${params.length}`);
  }
  params.push(filter.limit);
  const rows = await q.query(
    `SELECT * FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(presentAuditRow);
}

export function registerAuditRoutes(server: FastifyInstance, app: App): void {
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
      summary: 'Verify every hash chain and checkpoint; reports the first broken link',
      tags: ['audit'],
      permission: 'audit.verify',
    },
    async () => verifyAudit(app.db),
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
