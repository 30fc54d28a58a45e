// The hiring screening engine (pure TypeScript, no database): rubric proposal, redaction, the local scorer, the
// LLM scorer with its quote check, and the phone screen's questions. The contract is in types.ts.
export { checkQuotes, llmScoreResume } from './llm.ts';
export { screenQuestions } from './questions.ts';
export { redact } from './redact.ts';
export { DEFAULT_THRESHOLD, proposeRubric } from './rubric.ts';
export { scoreResume, scoreResumeDetailed } from './score.ts';
export type {
  Criterion,
  CriterionKind,
  CriterionResult,
  Evidence,
  Redaction,
  RedactionKind,
  Rubric,
  ScoreResult,
  Verdict,
} from './types.ts';
