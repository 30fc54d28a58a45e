// Vapi's custom LLM (PROTOCOLS §1.11, §5.2): POST {url}/chat/completions, an OpenAI chat completions request with the
// call attached. The last user message of the call goes through customerMessageHandler for the call's conversation,
// so the runtime and its guardrails (brain, policy, hand-off, audit) decide the turn; the agent's reply comes back as
// the assistant message, made speakable. `stream: true` (what Vapi sends) is streamed as OpenAI SSE chunks while the
// turn is produced, each reply sentence by sentence as its statement commits (turnStreamer), ending in
// `data: [DONE]`; otherwise one chat.completion. A turn Vapi asks for again (same call, same number of user messages)
// is answered from what was stored, not run twice (its clientId). When the conversation goes to a person, the reply
// says so and the stream also calls Vapi's transferCall tool, which Vapi turns into transfer-destination-request.
import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import type { App } from '../../app.ts';
import { customerMessageHandler, MAX_MESSAGE_CHARS } from '../../conversations/conversations.ts';
import { AppError } from '../../errors.ts';
import type { VoiceCall } from './calls.ts';
import { type CompletionRequest, contentText } from './payload.ts';
import { MAX_SPOKEN_CHARS, speakable } from './speakable.ts';

export const SPOKEN_HANDOFF = "I'll pass you to a colleague who can help with that.";
export const SPOKEN_HELD = 'Let me check that with a colleague; a person will get back to you.';

export interface Turn {
  text: string;
  transfer: boolean;
}

export async function turnAnswerer(app: App, call: VoiceCall, body: CompletionRequest): Promise<Turn> {
  const users = body.messages.filter((m) => m.role === 'user');
  const last = users.at(-1);
  const text = last ? contentText(last.content).trim().slice(0, MAX_MESSAGE_CHARS) : '';
  if (!text) throw new AppError('validation_failed', 'the request has no user message to answer');
  const clientId = `vapi:${call.callId}:${users.length}`;
  const result = await customerMessageHandler(app, { conversation: call.conversation, text, clientId });
  if (result.handledBy === 'duplicate') return storedAnswer(app, call, String(result.duplicate?.id));
  if (result.handledBy === 'human') return { text: SPOKEN_HANDOFF, transfer: true };
  const sent = (result.written ?? []).filter(
    (m) => m.direction === 'out' && m.status === 'sent' && m.author === 'agent',
  );
  if (!sent.length) return { text: SPOKEN_HELD, transfer: false };
  return { text: speakable(sent.map((m) => m.body).join(' ')), transfer: false };
}

/** The answer given to a turn already handled: the replies its run sent, or the hand-off. */
async function storedAnswer(app: App, call: VoiceCall, messageId: string): Promise<Turn> {
  const rows = await app.db.query<{ body: string; run_status: string | null }>(
    `SELECT o.body, r.status AS run_status FROM messages i
     LEFT JOIN runs r ON r.id = i.run_id
     LEFT JOIN messages o ON o.run_id = i.run_id AND o.direction = 'out' AND o.status = 'sent' AND o.author = 'agent'
     WHERE i.id = $1 AND i.conversation_id = $2 ORDER BY o.created_at, o.id`,
    [messageId, call.conversation.id],
  );
  const bodies = rows.flatMap((r) => (r.body ? [r.body] : []));
  if (bodies.length) return { text: speakable(bodies.join(' ')), transfer: false };
  if (rows[0]?.run_status === 'escalated' || !rows[0]?.run_status)
    return { text: SPOKEN_HANDOFF, transfer: true };
  return { text: SPOKEN_HELD, transfer: false };
}

/** A reply's sentences, each with the space that followed it: what one streamed chunk carries. */
export function sentences(text: string): string[] {
  return text.split(/(?<=[.!?…])\s+/).flatMap((x, i, all) => (x ? [i < all.length - 1 ? `${x} ` : x] : []));
}

/**
 * The turn streamed as it is produced (`stream: true`): the SSE head and the assistant's role go out at once, then
 * each reply the run sends, sentence by sentence, as soon as its statement has committed (a pilot's "I'm holding
 * that time…" is heard while the hold is still being written), then the hand-off's words and transferCall when the
 * turn went to a person, the finish reason and `[DONE]`. Bad input is refused before the stream starts (4xx); a
 * failure after it is spoken as SPOKEN_HELD and logged.
 */
export async function turnStreamer(
  app: App,
  call: VoiceCall,
  body: CompletionRequest,
  reply: FastifyReply,
  nowMs: number,
): Promise<void> {
  const users = body.messages.filter((m) => m.role === 'user');
  const last = users.at(-1);
  const text = last ? contentText(last.content).trim().slice(0, MAX_MESSAGE_CHARS) : '';
  if (!text) throw new AppError('validation_failed', 'the request has no user message to answer');
  const clientId = `vapi:${call.callId}:${users.length}`;
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(nowMs / 1000);
  const model = body.model ?? 'twelve';
  const raw = reply.raw;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
    raw.write(
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      })}\n\n`,
    );
  reply.hijack();
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  chunk({ role: 'assistant', content: '' }, null);
  let said = '';
  const say = (words: string) => {
    for (const piece of sentences(speakable(words))) {
      const next = said && !/\s$/.test(said) ? ` ${piece}` : piece;
      if (said.length + next.length > MAX_SPOKEN_CHARS) return;
      said += next;
      chunk({ content: next }, null);
    }
  };
  let transfer = false;
  try {
    const result = await customerMessageHandler(app, {
      conversation: call.conversation,
      text,
      clientId,
      onWritten: (m) => {
        if (m.direction === 'out' && m.status === 'sent' && m.author === 'agent') say(m.body);
      },
    });
    if (result.handledBy === 'duplicate') {
      const stored = await storedAnswer(app, call, String(result.duplicate?.id));
      say(stored.text);
      transfer = stored.transfer;
    } else if (result.handledBy === 'human') {
      say(SPOKEN_HANDOFF);
      transfer = true;
    } else if (!said) say(SPOKEN_HELD);
  } catch (err) {
    reply.log.error({ err, callId: call.callId }, 'vapi: the streamed turn failed');
    if (!said) say(SPOKEN_HELD);
  }
  if (transfer)
    chunk(
      {
        tool_calls: [
          {
            index: 0,
            id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
            type: 'function',
            function: { name: 'transferCall', arguments: '{}' },
          },
        ],
      },
      null,
    );
  chunk({}, transfer ? 'tool_calls' : 'stop');
  raw.end('data: [DONE]\n\n');
}

/** The turn as one chat.completion (`stream: false`). */
export function completionSender(reply: FastifyReply, body: CompletionRequest, turn: Turn, nowMs: number) {
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(nowMs / 1000);
  const model = body.model ?? 'twelve';
  const toolCall = {
    id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    type: 'function' as const,
    function: { name: 'transferCall', arguments: '{}' },
  };
  const finish = turn.transfer ? 'tool_calls' : 'stop';
  return reply.code(200).send({
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        finish_reason: finish,
        message: {
          role: 'assistant',
          content: turn.text,
          ...(turn.transfer ? { tool_calls: [toolCall] } : {}),
        },
      },
    ],
  });
}
