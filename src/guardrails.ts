// The guardrail manifest: every promise Twelve makes about what an agent can and cannot do, as data. Tests cite
// these ids in their names (`[policy:…]`); test/guardrails.test.ts fails when a promise has no test citing it.
export interface Guardrail {
  id: string;
  promise: string;
}

export const GUARDRAILS: readonly Guardrail[] = [
  { id: 'policy:read-tools-run-in-every-mode', promise: 'read tools run in production, pilot and shadow' },
  { id: 'policy:production-write-executes', promise: 'in production, reversible write tools run' },
  { id: 'policy:pilot-write-needs-approval', promise: 'in pilot, write tools wait for a human approval' },
  {
    id: 'policy:shadow-never-executes-write',
    promise: 'in shadow, write, destructive and spend tools are recorded as "would have done" and never run',
  },
  {
    id: 'policy:destructive-needs-approval',
    promise: 'a destructive tool never runs without an approval record, in any mode',
  },
  {
    id: 'policy:spend-within-cap-else-approval',
    promise: 'in production, spend tools run inside the daily spend cap, otherwise they need approval',
  },
  {
    id: 'policy:human-only-actions-denied',
    promise: 'actions reserved to humans (refund, hire, reject, delete data) are denied to every agent',
  },
  {
    id: 'policy:config-only-tightens',
    promise: 'agent configuration can require approval for a tool, never relax policy',
  },
  {
    id: 'policy:brain-cannot-change-risk',
    promise: 'nothing a brain says changes a tool risk class or the policy',
  },
  {
    id: 'policy:pilot-replies-cohort-and-threshold',
    promise:
      'in pilot, replies are sent only to the cohort and above the confidence threshold; others go to review',
  },
  {
    id: 'policy:shadow-replies-are-drafts',
    promise: 'in shadow, replies are never sent: they are drafts for a human',
  },
  {
    id: 'runtime:budget-ends-in-checkpoint',
    promise: 'a run never exceeds its step budget; reaching it ends in a checkpoint a human resolves',
  },
  { id: 'runtime:budget-ceiling', promise: 'a step budget is between 1 and 25' },
  {
    id: 'runtime:checkpoint-continue-or-close',
    promise: 'a checkpoint is resolved by a human: continue with a fresh budget, or close',
  },
  { id: 'runtime:approval-suspends-run', promise: 'a run that needs an approval is persisted and suspended' },
  {
    id: 'runtime:approval-resumes-exactly-once',
    promise: 'an approval resumes its run exactly once, under concurrent and duplicate decisions',
  },
  { id: 'runtime:approval-survives-restart', promise: 'a restart between suspend and approve loses nothing' },
  {
    id: 'runtime:approval-expiry-escalates',
    promise: 'an approval that expires falls back to a human escalation; the action never runs',
  },
  {
    id: 'runtime:idempotency-key-per-tool-call',
    promise: 'every tool call carries a stable idempotency key; a resume never repeats a side effect',
  },
  {
    id: 'runtime:ambiguous-state-fails-closed',
    promise: 'ambiguous or corrupt run state escalates and never executes',
  },
  {
    id: 'runtime:kill-switch-agent',
    promise: 'a paused agent stops at its next step and its conversation goes to a human',
  },
  { id: 'runtime:kill-switch-global', promise: 'the global kill switch stops every agent at its next step' },
  {
    id: 'runtime:spend-cap-per-day',
    promise: 'spend per agent per day never exceeds its cap without a human approval',
  },
  {
    id: 'runtime:escalate-low-confidence',
    promise:
      'a reply below the confidence threshold goes to a human (a request to rephrase, intent clarify, states no fact: it is sent, with its real confidence recorded)',
  },
  {
    id: 'runtime:escalate-always-human-topics',
    promise: 'always-human topics (fraud, legal, …) go to a human before the brain answers',
  },
  { id: 'runtime:escalate-on-person-request', promise: 'a customer asking for a person gets a person' },
  {
    id: 'runtime:escalate-on-error',
    promise: 'a brain error or failed delivery escalates; a tool failure is a result the brain reads',
  },
  {
    id: 'runtime:invalid-args-typed-error',
    promise: 'invalid tool arguments become a typed error result and an audit event; nothing runs',
  },
  {
    id: 'runtime:unknown-tool-structural-error',
    promise: 'an unknown tool is a structural error: audited, and the run escalates',
  },
  {
    id: 'runtime:escalation-lifecycle',
    promise: 'escalations go open → claimed → resolved, one winner per transition',
  },
  { id: 'audit:write-ahead-intent', promise: 'every executed effect has an earlier audit intent' },
  { id: 'audit:chain-verifies', promise: 'the hash chains and checkpoints verify on an untouched trail' },
  { id: 'audit:append-only', promise: 'the database rejects UPDATE, DELETE and TRUNCATE of audit events' },
  { id: 'audit:no-fork', promise: 'an event that does not extend its stream head is refused' },
  {
    id: 'audit:tamper-detected',
    promise: 'changing, deleting or reordering any single audit row is detected by verify',
  },
  { id: 'audit:export-jsonl', promise: 'the audit trail exports as JSONL' },
  {
    id: 'audit:heads-guarded',
    promise:
      'stream heads are never deleted and move only with an appended event; checkpoints only extend their chain',
  },
  {
    id: 'audit:anchor-detects-rewrite',
    promise:
      'an anchor taken before an owner edits, deletes or re-seals the trail no longer verifies; forged anchors are refused',
  },
  {
    id: 'readiness:bands-and-presets',
    promise: 'scores map to bands and modes; the reference cases are test vectors',
  },
  {
    id: 'readiness:evidence-caps-mode',
    promise: 'the effective mode is the lower of the declared band and the evidence band, with reasons',
  },
  {
    id: 'readiness:assessments-versioned-audited',
    promise: 'assessments are stored per agent, versioned and audited',
  },
  {
    id: 'store:same-contract-both-drivers',
    promise: 'the store behaves the same on PGlite and on a PostgreSQL server',
  },
  {
    id: 'store:one-process-per-folder',
    promise:
      'a second process on a PGlite data folder is refused naming the holder; a dead holder does not block',
  },
  {
    id: 'support:answers-only-from-kb',
    promise: 'a support answer is a knowledge-base entry or passage, whatever the customer writes',
  },
  {
    id: 'support:clarify-then-escalate',
    promise: 'an unclear question gets one request to rephrase; a second misunderstanding goes to a person',
  },
  {
    id: 'support:human-keeps-conversation',
    promise: 'while a person has a conversation, the agent does not answer in it',
  },
  {
    id: 'support:llm-grounded-or-escalates',
    promise: 'an LLM answer that cites nothing, or a passage it was not given, goes to a person',
  },
  {
    id: 'support:llm-history-is-data',
    promise:
      'earlier turns reach the LLM fenced as data: nothing written in them makes a tool run, or puts a fact the passages do not hold in front of the customer',
  },
  {
    id: 'support:suggestions-need-a-person',
    promise:
      'phrasings the LLM suggests never reach the knowledge base unless a person adds them, whatever the entry or the model writes; each call is on the spend ledger and inside the daily cap',
  },
  {
    id: 'channel:webhook-idempotent',
    promise: 'a provider redelivering an event produces one message and one answer',
  },
  {
    id: 'channel:inbound-exactly-once',
    promise:
      'a customer message on any channel is stored once and answered once when the process handling it is killed, and a restarted or surviving node finishes it at once',
  },
  {
    id: 'channel:signature-verified',
    promise: 'a WhatsApp event with a forged or missing signature is refused and nothing is stored',
  },
  {
    id: 'channel:no-mail-loops',
    promise: 'auto-replies, bulk and list mail, bounces and our own replies are never answered',
  },
  {
    id: 'channel:flood-limited',
    promise: 'a client flooding the web chat is rate limited and the server keeps serving',
  },
  {
    id: 'channel:escaped-output',
    promise: 'HTML and script in messages are shown as text in the widget and the dashboard',
  },
  {
    id: 'channel:bad-input-refused',
    promise: 'every API operation answers bad input below 500, with a stable error id when it refuses it',
  },
  {
    id: 'mcp:role-bounds-tools',
    promise:
      "an MCP caller is offered and may call only what its API token's role allows; every call is audited",
  },
  {
    id: 'mcp:calls-under-policy',
    promise:
      "an agent tool called over MCP runs under the agent's readiness policy: a held write waits for approval",
  },
  {
    id: 'mcp:human-only-never-offered',
    promise: 'human-only actions are never listed nor run over MCP, whatever the role',
  },
  {
    id: 'mcp:changed-definition-quarantined',
    promise:
      "an outside MCP tool is offered to an agent only while its definition's fingerprint is the one a person accepted",
  },
  {
    id: 'mcp:outside-failure-is-tool-error',
    promise:
      'an outside MCP server that hangs, dies or answers too much gives the brain a tool error, never a stuck run',
  },
  {
    id: 'hiring:decisions-human-only',
    promise:
      'only a person advances, rejects or hires a candidate, with a reason; no agent tool does, nobody is rejected automatically',
  },
  {
    id: 'hiring:scoring-blind-to-self-id',
    promise: 'voluntary self-identification is stored apart and never read by scoring',
  },
  {
    id: 'hiring:application-kept',
    promise:
      'an application whose file is refused or unreadable is kept for a person, and the candidate is told why',
  },
  {
    id: 'hiring:erasure-tombstone',
    promise:
      'erasing a candidate deletes their file, text, scores and self-identification; the audit keeps a tombstone without personal data',
  },
  {
    id: 'hiring:resume-is-data',
    promise:
      'text in a resume addressed to the screener, keyword dumps and repeated lines gain nothing, with the local engine and with an LLM that obeys them',
  },
  {
    id: 'hiring:quoted-evidence',
    promise:
      'a criterion is never met or partly met without a quote that is really in the redacted resume text',
  },
  {
    id: 'hiring:blind-to-identity',
    promise:
      'names, contact details, addresses, ages, gender words, marital status and nationality are redacted before scoring: the same resume under another identity scores the same',
  },
  {
    id: 'hiring:screen-consent-first',
    promise:
      'the AI phone screen asks consent first; anything but a clear yes, or a person asked for, ends it without an assessment and hands the candidate to a person',
  },
  {
    id: 'hiring:screen-no-tone',
    promise:
      'a phone screen never assesses tone, emotion or voice; words addressed to the assessor ("mark all answered") change nothing',
  },
  {
    id: 'hiring:screen-quoted-answers',
    promise:
      'a screen question is never answered or partly answered without the candidate’s own words, really in the transcript',
  },
];
