// Hiring's own outcomes for measurement (KindInstance.outcomes, src/metrics/): resumes the engine screened in a range,
// each the reading a recruiter would otherwise have done against the rubric, and the AI phone screens completed in it
// (the candidate consented and answered: each is the recruiter's first phone screen, the kind's task). A resume is
// counted once per application (a merged re-application with the same file is not screened again); erased candidates
// still count, as the work was done (their row stays as a tombstone with its dates). A phone screen counts by when its
// report came; one that was declined, not answered or failed saved nobody any time.
import type { KindOutcome, KindOutcomesHook } from '../../metrics/measurement.ts';
import { resolveMeasurementSettings, type TaskMinutesDefault } from '../../metrics/settings.ts';

export const RESUME_SCREEN_MINUTES = 6;

/** The hiring kind's task: a recruiter's first phone screen of a candidate. */
export const HIRING_TASK_DEFAULT: TaskMinutesDefault = {
  minutesPerTask: 15,
  source: "Twelve default for hiring: a recruiter's first phone screen of a candidate (15 minutes)",
};

export const screeningOutcomes: KindOutcomesHook = async (q, agent, range): Promise<KindOutcome[]> => {
  const [row] = await q.query<{ resumes: number; screens: number }>(
    `SELECT (SELECT count(*)::int FROM hiring_applications
             WHERE agent_id = $1 AND scored_at >= $2 AND scored_at < $3) AS resumes,
            (SELECT count(*)::int FROM hiring_screens
             WHERE agent_id = $1 AND status = 'completed' AND report_at >= $2 AND report_at < $3) AS screens`,
    [agent.id, range.from, range.to],
  );
  // The phone screen is the task the agent's minutes per task describe: its own setting, else the kind's default.
  const task = resolveMeasurementSettings(agent.config, HIRING_TASK_DEFAULT);
  return [
    {
      name: 'resumes_screened',
      label: 'Resumes screened',
      count: row?.resumes ?? 0,
      minutesEach: RESUME_SCREEN_MINUTES,
      source: 'Twelve default: reading a resume against the rubric and noting the evidence (6 minutes)',
    },
    {
      name: 'phone_screens',
      label: 'Phone screens completed',
      count: row?.screens ?? 0,
      minutesEach: task.minutesPerTask,
      source: `minutes per task: ${task.minutesPerTaskSource}`,
    },
  ];
};
