// One agent's measurement report: the figures over a range, each month's, the trap as it stands now (evaluated) and
// as recorded (the open trap record). The API, the CSV, the dashboard, `twelve report` and MCP share it.
import { AppError } from '../errors.ts';
import type { Queryable } from '../store/db.ts';
import {
  type AgentMetrics,
  agentMetrics,
  type MeasurementKinds,
  monthlyMetrics,
  monthsIn,
} from './measurement.ts';
import type { Range } from './outcomes.ts';
import { openTrap, type TrapEvaluation, type TrapRecord, trapEvaluator } from './trap.ts';

/** A report covers at most this many months (each month is its own set of queries). */
export const MAX_REPORT_MONTHS = 24;

export interface MeasurementReport {
  metrics: AgentMetrics;
  months: AgentMetrics[];
  trap: { evaluation: TrapEvaluation; record: TrapRecord | null };
}

export function checkRange(range: Range): void {
  if (!(range.from.getTime() < range.to.getTime()))
    throw new AppError('validation_failed', 'the range must end after it starts', [
      { path: ['to'], message: 'after from' },
    ]);
  if (monthsIn(range).length > MAX_REPORT_MONTHS)
    throw new AppError('validation_failed', `a report covers at most ${MAX_REPORT_MONTHS} months`, [
      { path: ['from'], message: `at most ${MAX_REPORT_MONTHS} months before to` },
    ]);
}

export async function measurementReport(
  q: Queryable,
  agentId: string,
  range: Range,
  options: { kinds?: MeasurementKinds; now: Date },
): Promise<MeasurementReport> {
  checkRange(range);
  const metrics = await agentMetrics(q, agentId, range, options);
  const months = await monthlyMetrics(q, agentId, range, options);
  const [evaluation, record] = await Promise.all([
    trapEvaluator(q, agentId, options.now, options.kinds),
    openTrap(q, agentId),
  ]);
  return { metrics, months, trap: { evaluation, record } };
}
