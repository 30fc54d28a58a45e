// Measurement (src/metrics/): an agent's figures over a range with each month's and the maintenance trap, the same as
// CSV, and time logged by hand for work outside Twelve.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { metricsCsv } from '../../metrics/csv.ts';
import { measurementKindsOf } from '../../metrics/measurement.ts';
import { measurementReport } from '../../metrics/report.ts';
import { weeklyOutcomes } from '../../metrics/series.ts';
import { WorkLogInputSchema, workLogger } from '../../metrics/work-log.ts';
import { findAgent } from '../../runtime/agents.ts';
import { AgentParam, route } from '../http.ts';

const DAY = 86_400_000;

const instant = z
  .string()
  .max(40)
  .refine(
    (s) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(s) && !Number.isNaN(Date.parse(s)),
    {
      message: 'a date (YYYY-MM-DD) or an ISO 8601 time',
    },
  )
  .transform((s) => new Date(s));

const RangeQuery = z.object({ from: instant.optional(), to: instant.optional() }).strict();

/** Default: the 30 days up to now. */
function rangeOf(app: App, query: { from?: Date | undefined; to?: Date | undefined }) {
  const to = query.to ?? app.clock.now();
  return { from: query.from ?? new Date(to.getTime() - 30 * DAY), to };
}

export function registerMetricsRoutes(server: FastifyInstance, app: App): void {
  const kinds = measurementKindsOf(app);

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/metrics/weekly',
      summary:
        "Every agent's conversations per week (UTC, from Monday) by outcome, for the last `weeks` weeks (default 12)",
      tags: ['metrics'],
      permission: 'metrics.read',
      query: z.object({ weeks: z.coerce.number().int().min(1).max(104).default(12) }).strict(),
    },
    async ({ query }) => {
      const agents = await app.db.query<{ id: string }>('SELECT id FROM agents ORDER BY created_at');
      return {
        weeks: await weeklyOutcomes(
          app.db,
          agents.map((a) => a.id),
          query.weeks,
          app.clock.now(),
        ),
      };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/metrics',
      summary:
        "An agent's measurement over from..to (default: the last 30 days): outcomes, human time, hours saved, net hours, costs; each month's; the maintenance trap",
      tags: ['metrics'],
      permission: 'metrics.read',
      params: AgentParam,
      query: RangeQuery,
    },
    async ({ params, query }) => {
      const agent = await findAgent(app.db, params.agent);
      return measurementReport(app.db, agent.id, rangeOf(app, query), { kinds, now: app.clock.now() });
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/metrics/csv',
      summary: "An agent's measurement as CSV, one row per month of from..to",
      tags: ['metrics'],
      permission: 'metrics.read',
      params: AgentParam,
      query: RangeQuery,
    },
    async ({ params, query, reply }) => {
      const agent = await findAgent(app.db, params.agent);
      const report = await measurementReport(app.db, agent.id, rangeOf(app, query), {
        kinds,
        now: app.clock.now(),
      });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="twelve-metrics-${agent.name}.csv"`)
        .send(metricsCsv(report.months));
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/work-log',
      summary: 'Log time spent on the agent outside Twelve (counted in its maintenance time; audited)',
      tags: ['metrics'],
      permission: 'worklog.write',
      params: AgentParam,
      body: WorkLogInputSchema,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const agent = await findAgent(app.db, params.agent);
      return { entry: await workLogger(app, principal.actor, agent.id, body) };
    },
  );
}
