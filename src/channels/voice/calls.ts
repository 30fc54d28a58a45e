// A phone call as Twelve keeps it: one conversation per Vapi call id ('v_' + call id) of the agent whose
// `config.voice.phoneNumberId` the call came in on (kinds serving 'voice'), and one voice_calls row with what Vapi
// reports (status, ended reason, transcript, summary, cost). Informational messages are recorded once per type and
// call (channel_inbound, status 'processed' so the inbound sweep never takes them for customer messages).
import { createHash, randomBytes } from 'node:crypto';
import type { App } from '../../app.ts';
import { businessHoursOf } from '../../business/hours.schema.ts';
import { nextOpening } from '../../business/hours.ts';
import { type Conversation, findConversation } from '../../conversations/conversations.ts';
import { emitEvent } from '../../events/emit.ts';
import { presentAgentRow } from '../../runtime/agents.ts';
import { escalationCreator } from '../../runtime/escalations.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import { pgSafe } from '../../store/text.ts';
import type { VapiMessage } from './payload.ts';
import { speakable } from './speakable.ts';

export const VOICE = 'voice';

export interface VoiceCall {
  callId: string;
  agent: AgentConfig;
  conversation: Conversation;
  customerNumber: string | null;
}

type CallFacts = Pick<VapiMessage, 'call' | 'phoneNumber' | 'customer' | 'assistant'>;

/** The agent (of a kind serving voice) answering this phone number id; the oldest when several claim it. */
export async function agentForPhoneNumber(app: App, phoneNumberId: string): Promise<AgentConfig | null> {
  const [row] = await app.db.query(
    `SELECT * FROM agents WHERE kind = ANY($2::text[]) AND config->'voice'->>'phoneNumberId' = $1
     ORDER BY created_at, id LIMIT 1`,
    [phoneNumberId, app.kindsServing(VOICE)],
  );
  return row ? presentAgentRow(row) : null;
}

async function agentById(app: App, id: string): Promise<AgentConfig | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [row] = await app.db.query('SELECT * FROM agents WHERE id = $1 AND kind = ANY($2::text[])', [
    id,
    app.kindsServing(VOICE),
  ]);
  return row ? presentAgentRow(row) : null;
}

/**
 * The call this message belongs to: known already, or (first message of a call) opened for the agent of the call's
 * phone number, or of the assistant Twelve returned (its metadata names the agent: web calls have no number). Null
 * when no agent is known for it.
 */
export async function callFor(app: App, msg: CallFacts): Promise<VoiceCall | null> {
  const callId = msg.call?.id;
  if (!callId) return null;
  const [known] = await app.db.query<{ agent_id: string; customer_number: string | null }>(
    'SELECT agent_id, customer_number FROM voice_calls WHERE call_id = $1',
    [callId],
  );
  let agent: AgentConfig | null = null;
  if (known) agent = await agentById(app, known.agent_id);
  else {
    const numberId = msg.call?.phoneNumberId ?? msg.phoneNumber?.id;
    if (numberId) agent = await agentForPhoneNumber(app, numberId);
    const named = msg.assistant?.metadata?.twelveAgentId;
    if (!agent && typeof named === 'string') agent = await agentById(app, named);
  }
  if (!agent) return null;
  const customerNumber = known?.customer_number ?? msg.call?.customer?.number ?? msg.customer?.number ?? null;
  const conversationId = `v_${callId}`;
  if (!known) {
    const now = app.clock.now();
    const resumeHash = createHash('sha256').update(randomBytes(24)).digest('hex');
    await app.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO conversations (id, agent_id, channel, customer_id, resume_hash, address, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $4, $6, $6) ON CONFLICT (id) DO NOTHING`,
        [conversationId, agent.id, VOICE, customerNumber, resumeHash, now],
      );
      await tx.query(
        `INSERT INTO voice_calls (call_id, agent_id, conversation_id, customer_number, phone_number_id, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (call_id) DO NOTHING`,
        [
          callId,
          agent.id,
          conversationId,
          customerNumber,
          msg.call?.phoneNumberId ?? msg.phoneNumber?.id ?? null,
          msg.call?.status ?? null,
          now,
        ],
      );
    });
  }
  const conversation = await findConversation(app.db, conversationId);
  if (!conversation) return null;
  return { callId, agent, conversation, customerNumber };
}

/** Records an informational message once; false when this key was recorded before (a redelivery). */
export async function firstDelivery(q: Queryable, app: App, call: VoiceCall, key: string): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO channel_inbound (channel, external_id, agent_id, payload, status, conversation_id, received_at, processed_at)
     VALUES ($1, $2, $3, $4, 'processed', $5, $6, $6) ON CONFLICT (channel, external_id) DO NOTHING RETURNING external_id`,
    [VOICE, key, call.agent.id, JSON.stringify({ key }), call.conversation.id, app.clock.now()],
  );
  return rows.length === 1;
}

export async function statusRecorder(
  app: App,
  call: VoiceCall,
  status: string,
  endedReason: string | undefined,
): Promise<boolean> {
  return app.db.transaction(async (tx) => {
    if (!(await firstDelivery(tx, app, call, `status-update:${call.callId}:${status}`))) return false;
    await tx.query(
      `UPDATE voice_calls SET status = $2, ended_reason = COALESCE($3, ended_reason), updated_at = $4 WHERE call_id = $1`,
      [call.callId, status, endedReason ?? null, app.clock.now()],
    );
    return true;
  });
}

export interface CallReport {
  endedReason: string | null;
  transcript: string | null;
  summary: string | null;
  cost: number | null;
  recordingUrl: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  messages: unknown[];
}

const when = (s: string | undefined) => {
  const d = s ? new Date(s) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
};

/** Reads the report from its canonical places (artifact, analysis), falling back to the legacy top-level fields. */
export function callReportOf(m: {
  endedReason?: string | undefined;
  startedAt?: string | undefined;
  endedAt?: string | undefined;
  cost?: number | undefined;
  analysis?: { summary?: string | undefined } | undefined;
  artifact?:
    | { transcript?: string | undefined; recordingUrl?: string | undefined; messages?: unknown[] | undefined }
    | undefined;
  transcript?: string | undefined;
  summary?: string | undefined;
  recordingUrl?: string | undefined;
}): CallReport {
  const clean = (s: string | undefined) => (s === undefined ? null : pgSafe(s));
  return {
    endedReason: clean(m.endedReason),
    transcript: clean(m.artifact?.transcript ?? m.transcript),
    summary: clean(m.analysis?.summary ?? m.summary),
    cost: m.cost ?? null,
    recordingUrl: clean(m.artifact?.recordingUrl ?? m.recordingUrl),
    startedAt: when(m.startedAt),
    endedAt: when(m.endedAt),
    messages: m.artifact?.messages ?? [],
  };
}

/**
 * Stores the end-of-call report on the call (and the conversation's activity time) and audits it, once per call.
 * The audit event references the call and fingerprints the transcript; it does not copy what was said.
 */
export async function reportRecorder(app: App, call: VoiceCall, report: CallReport): Promise<boolean> {
  return app.db.transaction(async (tx) => {
    if (!(await firstDelivery(tx, app, call, `end-of-call-report:${call.callId}`))) return false;
    const now = app.clock.now();
    await tx.query(
      `UPDATE voice_calls SET status = 'ended', ended_reason = COALESCE($2, ended_reason), transcript = $3, summary = $4,
         cost = $5, recording_url = $6, started_at = $7, ended_at = $8, report = $9, updated_at = $10
       WHERE call_id = $1`,
      [
        call.callId,
        report.endedReason,
        report.transcript,
        report.summary,
        report.cost,
        report.recordingUrl,
        report.startedAt,
        report.endedAt,
        JSON.stringify({ messages: report.messages }, (_k, v) => (typeof v === 'string' ? pgSafe(v) : v)),
        now,
      ],
    );
    await tx.query('UPDATE conversations SET updated_at = $2 WHERE id = $1', [call.conversation.id, now]);
    await app.audit.append(
      {
        stream: `agent:${call.agent.id}`,
        actor: 'vapi',
        action: 'voice.call_ended',
        subject: `conversation:${call.conversation.id}`,
        payload: {
          callId: call.callId,
          endedReason: report.endedReason,
          cost: report.cost,
          startedAt: report.startedAt?.toISOString() ?? null,
          endedAt: report.endedAt?.toISOString() ?? null,
          transcriptSha256: report.transcript
            ? createHash('sha256').update(report.transcript).digest('hex')
            : null,
          hasSummary: report.summary !== null,
        },
      },
      tx,
    );
    return true;
  });
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A phone number read digit by digit (a voice would otherwise say "plus four hundred billion …"). */
function spokenNumber(n: string): string {
  return n
    .replace(/[^0-9]/g, '')
    .split('')
    .join(' ');
}

export type TransferAnswer =
  | {
      destination: { type: 'number'; number: string; message: string };
      message: { type: 'request-start'; content: string };
    }
  | { error: string };

/**
 * Where a transfer goes: the agent's transferNumber while the business is open (business/hours.ts; no hours set
 * counts as always staffed). Otherwise the caller is told a person will call back, and the inbox gets one
 * escalation per call with the number to call.
 */
export async function transferDestination(app: App, call: VoiceCall): Promise<TransferAnswer> {
  const now = app.clock.now();
  const hours = businessHoursOf(call.agent.config);
  const next = hours ? nextOpening(hours, now) : null;
  const open = next === null;
  if (call.agent.transferNumber && open) {
    return {
      destination: {
        type: 'number',
        number: call.agent.transferNumber,
        message: 'Connecting you to a colleague now.',
      },
      message: { type: 'request-start', content: 'Connecting you to a colleague now.' },
    };
  }
  await app.db.transaction(async (tx) => {
    const [held] = await tx.query(
      `SELECT 1 FROM escalations WHERE conversation_id = $1 AND state <> 'resolved'`,
      [call.conversation.id],
    );
    if (held) return;
    await escalationCreator(app, tx, 'channel:voice', {
      agentId: call.agent.id,
      runId: null,
      conversationId: call.conversation.id,
      reason: 'The caller asked for a person; call them back',
      summary: `Call back ${call.customerNumber ?? 'the caller (number withheld)'}: they asked for a person during call ${call.callId}.`,
    });
    await emitEvent(tx, {
      type: 'escalation.opened',
      agentId: call.agent.id,
      conversationId: call.conversation.id,
    });
  });
  const whenText = next
    ? next.dayOffset === 0
      ? `later today after ${next.open}`
      : next.dayOffset === 1
        ? `tomorrow after ${next.open}`
        : `on ${WEEKDAYS[next.weekday]} after ${next.open}`
    : 'as soon as they can';
  const number = call.customerNumber ? ` on ${spokenNumber(call.customerNumber)}` : '';
  return {
    error: speakable(`No one can take the call right now. A person will call you back${number} ${whenText}.`),
  };
}
