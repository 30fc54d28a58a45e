// Hiring's own outcomes for measurement (KindInstance.outcomes, src/metrics/): resumes the engine screened in a range,
// each the reading a recruiter would otherwise have done against the rubric. Counted once per application (a
// merged re-application with the same file is not screened again); erased candidates still count, as the work was
// done (their row stays as a tombstone with its dates).
import type { KindOutcome, KindOutcomesHook } from '../../metrics/measurement.ts';

export const RESUME_SCREEN_MINUTES = 6;

export const screeningOutcomes: KindOutcomesHook = async (q, agent, range): Promise<KindOutcome[]> => {
  const [row] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM hiring_applications
     WHERE agent_id = $1 AND scored_at >= $2 AND scored_at < $3`,
    [agent.id, range.from, range.to],
  );
  return [
    {
      name: 'resumes_screened',
      label: 'Resumes screened',
      count: row?.n ?? 0,
      minutesEach: RESUME_SCREEN_MINUTES,
      source: 'Twelve default: reading a resume against the rubric and noting the evidence (6 minutes)',
    },
  ];
};
