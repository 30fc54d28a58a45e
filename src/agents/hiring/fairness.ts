// The adverse-impact report of a job, per stage, from the voluntary self-identification: for each step of the
// pipeline (applied → screen → interview → offer → hired), of the candidates a person decided on at that step
// (advanced past it, or rejected at it), the selection rate of each group of each dimension, and its ratio to the
// highest rate in that dimension (the four-fifths rule: a ratio under 0.8 is adverse impact). Groups of fewer than
// five are flagged `small` (the ratio says little). Candidates who gave no answer for a dimension are left out of it.
// Scoring never reads this data (screening.ts); only this report and erasure do.
import type { Queryable } from '../../store/db.ts';
import { SELF_ID_DIMENSIONS } from './applications.ts';

const PIPELINE = ['applied', 'screen', 'interview', 'offer', 'hired'] as const;
export const SMALL_GROUP = 5;
export const FOUR_FIFTHS = 0.8;

export interface FairnessGroup {
  dimension: string;
  group: string;
  applicants: number;
  selected: number;
  rate: number;
  ratio: number | null;
  small: boolean;
  adverse: boolean;
}
export interface FairnessReport {
  stages: { stage: string; groups: FairnessGroup[] }[];
}

export async function fairnessReport(q: Queryable, jobId: string): Promise<FairnessReport> {
  const rows = await q.query<{
    id: string;
    stage: string;
    reached: number | null;
    answers: Record<string, unknown>;
  }>(
    `SELECT a.id, a.stage, s.answers,
       (SELECT max(array_position($2::text[], d.to_stage)) FROM hiring_decisions d
        WHERE d.application_id = a.id AND d.to_stage <> 'rejected') AS reached
     FROM hiring_applications a JOIN hiring_self_id s ON s.application_id = a.id
     WHERE a.job_id = $1 AND a.erased_at IS NULL`,
    [jobId, [...PIPELINE]],
  );
  const stages: FairnessReport['stages'] = [];
  // Selection into PIPELINE[k], among those decided at PIPELINE[k-1].
  for (let k = 1; k < PIPELINE.length; k++) {
    const decided = rows.filter((r) => {
      const reached = (r.reached ?? 1) - 1; // array_position is 1-based; no decision: still at 'applied' (0)
      return reached >= k || (r.stage === 'rejected' && reached === k - 1);
    });
    const groups: FairnessGroup[] = [];
    for (const dimension of SELF_ID_DIMENSIONS) {
      const byGroup = new Map<string, { applicants: number; selected: number }>();
      for (const r of decided) {
        const v = r.answers?.[dimension];
        if (typeof v !== 'string' || !v.trim()) continue;
        const g = byGroup.get(v) ?? { applicants: 0, selected: 0 };
        g.applicants++;
        if ((r.reached ?? 1) - 1 >= k) g.selected++;
        byGroup.set(v, g);
      }
      const rates = [...byGroup.values()].map((g) => g.selected / g.applicants);
      const best = Math.max(0, ...rates);
      for (const [group, g] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
        const rate = g.selected / g.applicants;
        const ratio = best > 0 ? rate / best : null;
        groups.push({
          dimension,
          group,
          ...g,
          rate: Math.round(rate * 1000) / 1000,
          ratio: ratio === null ? null : Math.round(ratio * 1000) / 1000,
          small: g.applicants < SMALL_GROUP,
          adverse: ratio !== null && ratio < FOUR_FIFTHS,
        });
      }
    }
    stages.push({ stage: PIPELINE[k]!, groups });
  }
  return { stages };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  // A cell starting with = + - @ is a formula to a spreadsheet: quote it with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

export function fairnessCsv(report: FairnessReport): string {
  const lines: unknown[][] = [
    ['stage', 'dimension', 'group', 'applicants', 'selected', 'rate', 'ratio', 'small', 'adverse'],
  ];
  for (const s of report.stages)
    for (const g of s.groups)
      lines.push([
        s.stage,
        g.dimension,
        g.group,
        g.applicants,
        g.selected,
        g.rate,
        g.ratio,
        g.small,
        g.adverse,
      ]);
  return `${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n`;
}
