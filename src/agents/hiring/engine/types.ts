// The screening engine's contract (docs: /work/briefs/hiring-api.md, "Engine contract"). Both engines, the local one
// (score.ts) and the LLM one (llm.ts), return a ScoreResult; every quote's offsets point into the REDACTED text.
export type CriterionKind = 'skill' | 'experience' | 'degree' | 'certification' | 'language' | 'other';

export interface Criterion {
  /** Stable slug, e.g. 'typescript', 'years-5'. */
  id: string;
  /** For people: 'TypeScript', '5+ years of professional experience'. */
  label: string;
  kind: CriterionKind;
  /** Must-have (true) or nice-to-have (false). */
  required: boolean;
  /** 1..5 */
  weight: number;
  /** What counts as evidence (synonyms), lower-case; may be empty for kind 'experience'. */
  terms: string[];
  /** Kind 'experience' (total) or a skill with years ('3+ years of Go'). */
  minYears?: number;
}

export interface Rubric {
  criteria: Criterion[];
  /** 0..100: a score at or above it qualifies (with no required criterion missing). */
  threshold: number;
}

/** A span of the redacted text: quote === text.slice(start, end). */
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
  /** Integer 0..100. */
  score: number;
  /** score >= threshold and no required criterion 'missing'. */
  qualified: boolean;
  /** One per rubric criterion, same order. */
  criteria: CriterionResult[];
  /** From the resume's date ranges (overlaps merged); null when it has none. */
  yearsOfExperience: number | null;
  engine: 'local' | 'llm';
  model?: string;
  /**
   * What a person should know about the text itself (an addition to the shared contract, optional): text addressed
   * to the screening system ("ignore your instructions…"), a bare keyword dump. Such lines never count as evidence.
   */
  flags?: string[];
}

export type RedactionKind =
  | 'name'
  | 'email'
  | 'phone'
  | 'address'
  | 'url'
  | 'age'
  | 'birthdate'
  | 'gender'
  | 'marital'
  | 'nationality'
  | 'photo';

export interface Redaction {
  text: string;
  /** Spans in the redacted text where a placeholder like [NAME] now stands. */
  redactions: { kind: RedactionKind; start: number; end: number }[];
}
