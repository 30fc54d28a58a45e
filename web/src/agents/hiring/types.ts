// What the hiring agent's API answers (the contract in hiring-api: src/agents/hiring/routes/), as the dashboard reads
// it. The rubric and score shapes mirror src/agents/hiring/engine/types.ts.
import type { AgentView } from '../../types.ts';

export type CriterionKind = 'skill' | 'experience' | 'degree' | 'certification' | 'language' | 'other';
export interface Criterion {
  id: string;
  label: string;
  kind: CriterionKind;
  required: boolean;
  weight: number;
  terms: string[];
  minYears?: number;
}
export interface Rubric {
  criteria: Criterion[];
  threshold: number;
}
export interface Evidence {
  quote: string;
  start: number;
  end: number;
}
export type Verdict = 'met' | 'partly' | 'missing';
export interface CriterionResult {
  id: string;
  label: string;
  required: boolean;
  weight: number;
  verdict: Verdict;
  evidence: Evidence[];
  note?: string;
}
export interface ScoreResult {
  score: number;
  qualified: boolean;
  criteria: CriterionResult[];
  yearsOfExperience: number | null;
  engine: 'local' | 'llm';
  model?: string;
}

export type JobStatus = 'draft' | 'open' | 'closed';
export interface JobView {
  id: string;
  title: string;
  description: string;
  location: string | null;
  employment: string | null;
  status: JobStatus;
  rubric: Rubric;
  threshold: number;
  counts: { applications: number; scored: number; qualified: number; needsPerson: number };
  createdAt: string;
  updatedAt: string;
}

export type Stage = 'applied' | 'screen' | 'interview' | 'offer' | 'hired' | 'rejected';
export const STAGES: Stage[] = ['applied', 'screen', 'interview', 'offer', 'hired', 'rejected'];
export type ScreeningStatus = 'queued' | 'screening' | 'scored' | 'needs_person' | 'failed';

export interface CandidateView {
  id: string;
  name: string;
  email: string;
  phone: string | null;
  stage: Stage;
  status: ScreeningStatus;
  statusReason: string | null;
  score: number | null;
  qualified: boolean | null;
  yearsOfExperience: number | null;
  reviewRequested: boolean;
  createdAt: string;
}

export interface DecisionView {
  id?: string;
  fromStage: Stage;
  toStage: Stage;
  decision: 'advance' | 'reject' | 'hire';
  reason: string;
  userId?: string | null;
  user?: string | null;
  decidedAt: string;
}

export interface ApplicationDetail extends CandidateView {
  jobId: string;
  /** The short code the candidate was given (they quote it to ask for a human review). */
  reference?: string | null;
  /** What the candidate wrote when asking for a human review. */
  reviewNote?: string | null;
  redactedText: string | null;
  result: ScoreResult | null;
  decisions: DecisionView[];
  screen: ScreenView | null;
  file: { name: string; mime: string; size: number } | null;
}

export interface FairnessGroup {
  dimension: string;
  group: string;
  applicants: number;
  selected: number;
  rate: number;
  ratio: number | null;
  small: boolean;
}
export interface FairnessReport {
  stages: { stage: string; groups: FairnessGroup[] }[];
}

/** The agent JSON's `hiring` block (its kind's summary), read leniently: any of these may be missing. */
export interface HiringSummary {
  openJobs?: number;
  applications?: number;
  /** Waiting to be screened, or being screened. */
  screening?: number;
  awaitingDecision?: number;
  needsPerson?: number;
  reviewRequests?: number;
}
export type HiringAgentView = AgentView & { hiring?: HiringSummary };

export const agentPath = (agent: string) => `/api/agents/${encodeURIComponent(agent)}`;
export const pagePath = (agent: string, page: string, query: Record<string, string> = {}) => {
  const q = new URLSearchParams(query).toString();
  return `/agents/${encodeURIComponent(agent)}/${page}${q ? `?${q}` : ''}`;
};

/** The phone screen of a candidate (GET /api/applications/:id → screen). */
export interface ScreenView {
  invitation: {
    id: string;
    status: 'sent' | 'booked' | 'person_requested' | 'cancelled';
    invitedBy: string;
    expiresAt: string;
    emailed: boolean;
    createdAt: string;
  };
  status: string;
  summary: string | null;
  scheduledAt: string | null;
  statusReason: string | null;
  questions: { criterionId: string; label: string; required: boolean; question: string }[];
  assessment: {
    consent: string;
    engine: 'local' | 'llm';
    model?: string;
    flags: string[];
    questions: {
      criterionId: string;
      question: string;
      verdict: 'answered' | 'partly' | 'not_answered';
      quote: string | null;
      start: number | null;
      end: number | null;
      note: string;
    }[];
  } | null;
  transcript: string | null;
  endedReason: string | null;
  reportAt: string | null;
}
