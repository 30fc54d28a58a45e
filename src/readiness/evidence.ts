// Checks a declared readiness assessment against what Twelve can see (DESIGN §1 "evidence"). A score of 4 or
// more on a layer is a claim that something exists (a human route, approvals and a cap, a passing evaluation);
// when it does not, that layer counts as 3, and the agent runs in the lower of the declared and evidence modes.
// Pure: the caller gathers the facts from the database.
import {
  BAND_MODE,
  type Band,
  bandForTotal,
  LAYERS,
  type Layer,
  lowerMode,
  type Mode,
  modeRank,
  type ReadinessScores,
  type Score,
  scoreReadiness,
} from './model.ts';

export type ToolRisk = 'read' | 'write' | 'destructive' | 'spend';

export interface EvidenceFacts {
  humansWhoCanTakeEscalations: number;
  escalationRouteConfigured: boolean;
  voiceChannel: boolean;
  transferNumber: string | null;
  tools: { name: string; risk: ToolRisk; requiresApproval: boolean }[];
  spendCapSet: boolean;
  lastEvaluation: { passed: boolean; at: string } | null;
}

export interface EvidenceCheck {
  id: string;
  layer: Layer;
  /** The score that needs this evidence: declaring this much or more without it caps the layer below it. */
  requiredFor: number;
  /** Whether the facts satisfy the check, whatever was declared (so the dashboard can show what 4 would need). */
  passed: boolean;
  message: string;
}

export interface EvidenceResult {
  /** One check per layer, in LAYERS order. */
  checks: EvidenceCheck[];
  /** The declared scores, each capped when its check failed and the declaration relied on it. */
  evidenceScores: ReadinessScores;
  evidenceBand: Band;
  evidenceMode: Mode;
  /** The lower of the declared mode and the evidence mode: what the runtime enforces. */
  effectiveMode: Mode;
  /** Plain-language explanation of the effective mode, one sentence per line. */
  reasons: string[];
}

export const EVIDENCE_CHECK_IDS: Record<Layer, string> = {
  clarity: 'evidence:clarity-passing-eval',
  tolerance: 'evidence:tolerance-approval-and-cap',
  fallback: 'evidence:fallback-human-route',
};

/** The score each check guards. */
export const EVIDENCE_REQUIRED_FOR = 4;
/** What a layer counts as when its evidence is missing: one below the score that needs the evidence. */
export const EVIDENCE_CAP: Score = 3;

const REQUIREMENT: Record<Layer, string> = {
  clarity: 'a passing evaluation',
  tolerance: 'every destructive or spend tool behind approval and a spend cap',
  fallback: 'an escalation route with at least one human who can take it (and, for voice, a transfer number)',
};

interface Finding {
  passed: boolean;
  /** Why it passed or, when it failed, what is missing. */
  detail: string;
}

function checkFallback(facts: EvidenceFacts): Finding {
  const problems: string[] = [];
  if (!facts.escalationRouteConfigured) problems.push('no escalation route is configured');
  // Non-finite or fractional counts come from bad data, never from real people; count only whole humans.
  const humans = Number.isFinite(facts.humansWhoCanTakeEscalations)
    ? Math.max(0, Math.floor(facts.humansWhoCanTakeEscalations))
    : 0;
  if (humans < 1) problems.push('nobody can take escalations');
  const transfer = facts.transferNumber?.trim() ?? '';
  if (facts.voiceChannel && transfer === '') problems.push('the voice channel has no transfer number');
  if (problems.length > 0) return { passed: false, detail: problems.join(', ') };
  const who = `${humans} ${humans === 1 ? 'human' : 'humans'} can take escalations`;
  return { passed: true, detail: facts.voiceChannel ? `${who}; calls transfer to ${transfer}` : who };
}

function checkTolerance(facts: EvidenceFacts): Finding {
  const problems: string[] = [];
  const risky = facts.tools.filter((t) => t.risk === 'destructive' || t.risk === 'spend');
  const unguarded = risky.filter((t) => !t.requiresApproval).map((t) => t.name);
  if (unguarded.length > 0) problems.push(`tools without approval: ${unguarded.join(', ')}`);
  // A cap is required even with no spend tools: LLM tokens and voice minutes are spending too (DESIGN §2).
  if (!facts.spendCapSet) problems.push('no spend cap is set');
  if (problems.length > 0) return { passed: false, detail: problems.join(', ') };
  const guarded =
    risky.length === 0
      ? 'no destructive or spend tools'
      : `all ${risky.length} destructive or spend tools need approval`;
  return { passed: true, detail: `${guarded}; a spend cap is set` };
}

function checkClarity(facts: EvidenceFacts): Finding {
  const run = facts.lastEvaluation;
  if (run === null) return { passed: false, detail: 'none recorded' };
  if (!run.passed) return { passed: false, detail: `the last evaluation (${run.at}) failed` };
  return { passed: true, detail: `the last evaluation (${run.at}) passed` };
}

const CHECKERS: Record<Layer, (facts: EvidenceFacts) => Finding> = {
  clarity: checkClarity,
  tolerance: checkTolerance,
  fallback: checkFallback,
};

function describe(total: number, band: Band): string {
  return `${total} (${band})`;
}

export function checkEvidence(declared: ReadinessScores, facts: EvidenceFacts): EvidenceResult {
  const declaredResult = scoreReadiness(declared);
  const scores = declaredResult.scores;
  const evidenceScores: ReadinessScores = { ...scores };
  const checks: EvidenceCheck[] = [];
  const capped: string[] = [];

  for (const layer of LAYERS) {
    const finding = CHECKERS[layer](facts);
    const relied = scores[layer] >= EVIDENCE_REQUIRED_FOR;
    let message: string;
    if (finding.passed) {
      message = `${layer} ${EVIDENCE_REQUIRED_FOR}+ needs ${REQUIREMENT[layer]}: ${finding.detail}`;
    } else if (relied) {
      evidenceScores[layer] = EVIDENCE_CAP;
      message =
        `${layer} ${scores[layer]} needs ${REQUIREMENT[layer]}: ${finding.detail}; ` +
        `${layer} counts as ${EVIDENCE_CAP}`;
      capped.push(`${layer} ${scores[layer]} needs ${REQUIREMENT[layer]}: ${finding.detail}`);
    } else {
      message =
        `${layer} ${EVIDENCE_REQUIRED_FOR}+ would need ${REQUIREMENT[layer]}: ${finding.detail}; ` +
        `not needed for the declared ${scores[layer]}`;
    }
    checks.push({
      id: EVIDENCE_CHECK_IDS[layer],
      layer,
      requiredFor: EVIDENCE_REQUIRED_FOR,
      passed: finding.passed,
      message,
    });
  }

  const evidenceTotal = evidenceScores.clarity + evidenceScores.tolerance + evidenceScores.fallback;
  const evidenceBand = bandForTotal(evidenceTotal);
  const evidenceMode = BAND_MODE[evidenceBand];
  const effectiveMode = lowerMode(declaredResult.mode, evidenceMode);

  const declaredText = describe(declaredResult.total, declaredResult.band);
  const evidenceText = describe(evidenceTotal, evidenceBand);
  const reasons: string[] = [];
  if (capped.length === 0) {
    reasons.push(`declared ${declaredText}; the evidence supports every declared score`);
  } else {
    reasons.push(`declared ${declaredText} but ${capped.join('; and ')} → evidence ${evidenceText}`);
  }
  if (modeRank(evidenceMode) < modeRank(declaredResult.mode)) {
    reasons.push(
      `effective mode ${effectiveMode}: the evidence supports only ${evidenceBand}, lower than the declared ` +
        `${declaredResult.band}`,
    );
  } else if (capped.length > 0) {
    reasons.push(
      `effective mode ${effectiveMode}: the evidence total is lower but still in the ${evidenceBand} band, ` +
        'so the declared mode stands',
    );
  } else {
    reasons.push(`effective mode ${effectiveMode}: the declared ${declaredResult.band} band`);
  }

  return { checks, evidenceScores, evidenceBand, evidenceMode, effectiveMode, reasons };
}
