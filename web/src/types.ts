// The JSON the dashboard reads from the API (dates are ISO strings). Kept apart from the server's row types on
// purpose: this is the wire contract, and the server may add fields without breaking the dashboard.
import type { OutcomeCounts } from '../../src/metrics/outcomes.ts';
import type { TrapRecord } from '../../src/metrics/trap.ts';
import type { EvidenceCheck, EvidenceFacts } from '../../src/readiness/evidence.ts';
import type { Band, Mode } from '../../src/readiness/model.ts';

export type { Band, EvidenceCheck, EvidenceFacts, Mode };
export type Role = 'admin' | 'reviewer' | 'viewer';
export type Risk = 'read' | 'write' | 'destructive' | 'spend';

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

export interface Me {
  user: UserView | null;
  actor: string;
  role: Role;
  csrfToken: string | null;
}

export interface AgentView {
  id: string;
  kind: string;
  name: string;
  displayName: string;
  brain: string;
  stepBudget: number;
  confidenceThreshold: number;
  status: 'active' | 'paused';
  spendCapCents: number | null;
  escalationContacts: string[];
  transferNumber: string | null;
  pilotPercent: number;
  config?: Record<string, unknown>;
  tools: { name: string; description: string; risk: Risk }[];
  readiness: {
    declared: {
      clarity: number;
      tolerance: number;
      fallback: number;
      total: number;
      band: Band;
      version: number;
    } | null;
    evidence: {
      scores: { clarity: number; tolerance: number; fallback: number };
      band: Band;
      checks: EvidenceCheck[];
    } | null;
    effectiveMode: Mode;
    reasons: string[];
  };
  pendingApprovals: number;
  openEscalations: number;
  runs: number;
  /** Every kind: the last 30 days' outcomes (one per conversation) and an open maintenance trap (src/metrics/). */
  measurement?: CardMeasurement;
}

export interface CardMeasurement {
  since: string;
  outcomes: OutcomeCounts;
  trap: TrapRecord | null;
}

export interface AssessmentView {
  version: number;
  scores: { clarity: number; tolerance: number; fallback: number };
  total: number;
  band: Band;
  mode: Mode;
  verdict: string;
  rationale: string;
  assessedBy: string;
  createdAt: string;
}

export interface ReadinessDetail {
  effectiveMode: Mode;
  reasons: string[];
  evidence: { checks: EvidenceCheck[]; evidenceBand: Band; effectiveMode: Mode } | null;
  facts: EvidenceFacts;
  history: AssessmentView[];
}

export type RunStatus = 'running' | 'suspended' | 'checkpoint' | 'escalated' | 'done' | 'closed' | 'failed';

export interface RunView {
  id: string;
  agentId: string;
  status: RunStatus;
  stepsUsed: number;
  budget: number;
  outcome: string | null;
  mode: Mode;
  trigger: { type: string; text?: string; [key: string]: unknown };
  createdAt: string;
}

export interface StepAction {
  type: string;
  name?: string;
  args?: unknown;
  text?: string;
  confidence?: number;
  sources?: string[];
  reason?: string;
  summary?: string;
  outcome?: string;
  raw?: unknown;
}

export interface StepView {
  idx: number;
  action: StepAction;
  decision: string;
  result: unknown;
  createdAt: string;
}

export interface AuditEventView {
  id: number;
  stream: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  payload: unknown;
  hash: string;
}

export interface ApprovalItem {
  id: string;
  runId: string;
  agentId: string;
  agentName?: string;
  reason: string;
  status: 'pending' | 'approved' | 'denied' | 'expired';
  toolCallId?: string;
  decidedBy?: string | null;
  decisionReason?: string | null;
  tool?: string;
  args?: unknown;
  risk?: Risk;
  expiresAt: string;
  createdAt: string;
}

export type Delivery = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface MessageView {
  id: string;
  direction: 'in' | 'out';
  author: 'customer' | 'agent' | 'human';
  status: string;
  body: string;
  /** Email and WhatsApp messages go through the outbox and carry a delivery state; web chat has none. */
  channel?: string | null;
  delivery?: Delivery | null;
  deliveryError?: string | null;
  /** An agent answer's confidence, and the titles of the KB entries or articles it came from (inbox only). */
  confidence?: number | null;
  sourceTitles?: string[];
  createdAt: string;
}

export interface EscalationItem {
  id: string;
  agentId: string;
  agentName?: string;
  runId: string | null;
  kind: 'escalation' | 'review' | 'checkpoint';
  reason: string;
  summary: string;
  suggestedReply: string | null;
  state: 'open' | 'claimed' | 'resolved';
  claimedBy: string | null;
  resolution?: string | null;
  conversationId?: string | null;
  /** 0..1 similarity of the first human reply to the suggested reply; null until a person replied. */
  draftAgreement?: number | null;
  createdAt: string;
  /** The inbox card (issue 24): the conversation's channel and customer, the customer's real question. */
  channel?: string | null;
  customer?: string | null;
  subject?: string | null;
  question?: string | null;
  questions?: string[];
  /** Since when the customer waits for a person; null once answered or resolved. */
  waitingSince?: string | null;
  assignedTo?: { id: string; name: string } | null;
}

export interface EscalationDetail {
  escalation: EscalationItem;
  agent?: { id: string; name: string; displayName: string; kind: string };
  messages: MessageView[];
  run: RunView | null;
}

export interface ToolCallView {
  id: string;
  stepIdx: number;
  tool: string;
  risk: Risk;
  decision: string;
  status: string;
}

export interface RunDetail {
  run: RunView;
  agent?: { id: string; name: string; displayName?: string } | null;
  steps: StepView[];
  toolCalls?: ToolCallView[];
  approvals?: ApprovalItem[];
  escalations?: EscalationItem[];
  messages?: MessageView[];
  audit: AuditEventView[];
}

export interface VerifyResult {
  ok: boolean;
  events: number;
  streams: number;
  checkpoints: number;
  firstBroken: { id: number | null; stream: string; seq: number | null; reason: string } | null;
  anchor: string | null;
}

/** The Conversations view (issue 24): one row of GET /api/conversations. */
export type OutcomeName = 'resolvedByAi' | 'clawedBack' | 'escalated' | 'abandoned' | 'open';
export type ConfidenceBand = 'low' | 'medium' | 'high' | 'none';
export type ReviewReason = 'low_confidence' | 'customer_unhappy' | 'sample';

export interface ConversationItem {
  id: string;
  agent: { id: string; name: string; kind: string };
  channel: string;
  customer: string | null;
  subject: string | null;
  question: string | null;
  messages: number;
  minConfidence: number | null;
  band: ConfidenceBand;
  outcome: OutcomeName | null;
  satisfaction: 1 | -1 | null;
  review: { verdict: 'ok' | 'wrong'; by: string; at: string } | null;
  reviewReasons: ReviewReason[];
  entries: string[];
  escalation: { id: string; state: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationPage {
  total: number;
  page: number;
  limit: number;
  pages: number;
  conversations: ConversationItem[];
}

export interface ConversationDetail {
  conversation: Pick<
    ConversationItem,
    | 'id'
    | 'channel'
    | 'customer'
    | 'question'
    | 'outcome'
    | 'band'
    | 'minConfidence'
    | 'satisfaction'
    | 'review'
    | 'reviewReasons'
    | 'escalation'
    | 'createdAt'
  >;
  agent: { id: string; name: string; displayName: string; kind: string };
  messages: (MessageView & { confidence: number | null })[];
}

export interface CannedReplyView {
  id: string;
  title: string;
  body: string;
}
