// The policy: what each readiness mode lets an agent do (DESIGN §1). Pure functions of the mode, the tool's
// risk class and facts the runtime measured; the brain has no input here.
import type { Mode } from './mode.ts';
import type { RiskClass } from './types.ts';

export type ToolDecision = 'execute' | 'approval' | 'record' | 'deny';
export type ReplyDecision = 'send' | 'review' | 'draft';

export interface ToolPolicyInput {
  mode: Mode;
  risk: RiskClass;
  /** The agent's configuration requires approval for this tool in every mode that would run it. */
  alwaysApprove?: boolean;
  /** For spend tools: does this call fit inside today's remaining spend cap? */
  withinSpendCap?: boolean;
  /** Actions no agent ever has (hire, reject, refund, delete data): human-only. */
  humanOnly?: boolean;
}

export function decideTool(p: ToolPolicyInput): ToolDecision {
  if (p.humanOnly) return 'deny';
  if (p.mode === 'shadow') return p.risk === 'read' ? 'execute' : 'record';
  let decision: ToolDecision;
  switch (p.risk) {
    case 'read':
      return 'execute';
    case 'write':
      decision = p.mode === 'production' ? 'execute' : 'approval';
      break;
    case 'destructive':
      decision = 'approval';
      break;
    case 'spend':
      decision = p.mode === 'production' && p.withinSpendCap === true ? 'execute' : 'approval';
      break;
  }
  return p.alwaysApprove && decision === 'execute' ? 'approval' : decision;
}

export interface ReplyPolicyInput {
  mode: Mode;
  confidence: number;
  threshold: number;
  inCohort: boolean;
  /**
   * 'clarify': a request to rephrase, which states no fact, so the confidence gate does not hold it (it carries the
   * engine's real, low confidence for the record). It gains nothing a brain could not get by claiming confidence 1.
   */
  intent?: 'answer' | 'clarify' | 'talk';
}

export function decideReply(p: ReplyPolicyInput): ReplyDecision {
  if (p.mode === 'shadow') return 'draft';
  if (p.intent !== 'clarify' && p.confidence < p.threshold) return 'review';
  if (p.mode === 'pilot' && !p.inCohort) return 'review';
  return 'send';
}

/** Stable assignment of a conversation to the pilot cohort: the same conversation always lands the same way. */
export function inPilotCohort(
  key: string,
  percent: number,
  allowList: string[],
  customerId?: string,
): boolean {
  if (customerId && allowList.includes(customerId)) return true;
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  let h = 2166136261; // FNV-1a, 32 bit
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 100 < percent;
}
