// What Vapi sends (PROTOCOLS §1.3–1.8, §1.11), validated with zod. Unknown fields are kept and ignored (Vapi adds
// fields without notice); what Twelve reads is checked.
import { z } from 'zod';

const Id = z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, 'an id of letters, digits and ._:-');
const Phone = z.string().max(64);

const Customer = z.looseObject({ number: Phone.optional() });
export const CallSchema = z.looseObject({
  id: Id,
  phoneNumberId: Id.optional(),
  customer: Customer.optional(),
  type: z.string().max(100).optional(),
});
const Common = {
  call: CallSchema.optional(),
  phoneNumber: z.looseObject({ id: Id.optional(), number: Phone.optional() }).optional(),
  customer: Customer.optional(),
  assistant: z.looseObject({ metadata: z.record(z.string(), z.unknown()).optional() }).nullish(),
};

export const EnvelopeSchema = z.object({
  message: z.looseObject({ type: z.string().min(1).max(100), ...Common }),
});
export type VapiMessage = z.infer<typeof EnvelopeSchema>['message'];

const Args = z.union([z.string().max(100_000), z.record(z.string(), z.unknown())]).optional();
const ToolCall = z.union([
  z.looseObject({
    id: Id,
    function: z.looseObject({ name: z.string().min(1).max(200), arguments: Args }),
  }),
  // Some docs examples flatten the call (PROTOCOLS §1.5).
  z.looseObject({ id: Id, name: z.string().min(1).max(200), arguments: Args, parameters: Args }),
]);
export const ToolCallsSchema = z.looseObject({
  toolCallList: z.array(ToolCall).min(1).max(32),
});

export interface NormalizedToolCall {
  id: string;
  name: string;
  /** The arguments as sent (parsed when they came as a JSON string); `invalid` when that string is not JSON. */
  args: unknown;
  invalid: boolean;
}

export function normalizeToolCall(c: z.infer<typeof ToolCall>): NormalizedToolCall {
  const nested = c as { function?: { name: string; arguments?: z.infer<typeof Args> } };
  const flat = c as { name?: string; arguments?: z.infer<typeof Args>; parameters?: z.infer<typeof Args> };
  const name = nested.function?.name ?? flat.name ?? '';
  const raw = nested.function ? nested.function.arguments : (flat.arguments ?? flat.parameters);
  if (typeof raw === 'string') {
    try {
      return { id: c.id, name, args: raw.trim() ? JSON.parse(raw) : {}, invalid: false };
    } catch {
      return { id: c.id, name, args: {}, invalid: true };
    }
  }
  return { id: c.id, name, args: raw ?? {}, invalid: false };
}

export const StatusUpdateSchema = z.looseObject({
  status: z.string().min(1).max(100),
  endedReason: z.string().max(200).optional(),
});

const Text = z.string().max(1_000_000);
export const EndOfCallReportSchema = z.looseObject({
  endedReason: z.string().max(200).optional(),
  startedAt: z.string().max(100).optional(),
  endedAt: z.string().max(100).optional(),
  cost: z.number().finite().min(0).optional(),
  analysis: z.looseObject({ summary: Text.optional() }).optional(),
  artifact: z
    .looseObject({
      transcript: Text.optional(),
      recordingUrl: z.string().max(2000).optional(),
      messages: z.array(z.unknown()).max(10_000).optional(),
    })
    .optional(),
  transcript: Text.optional(),
  summary: Text.optional(),
  recordingUrl: z.string().max(2000).optional(),
});

const Content = z.union([
  z.string().max(100_000),
  z.null(),
  z.array(z.looseObject({ type: z.string().max(50), text: z.string().max(100_000).optional() })).max(100),
]);
/** The custom LLM request: an OpenAI chat completions request with Vapi's extras (PROTOCOLS §1.11, §5.2). */
export const CompletionRequestSchema = z.looseObject({
  model: z.string().max(200).optional(),
  messages: z.array(z.looseObject({ role: z.string().max(50), content: Content.optional() })).max(5000),
  stream: z.boolean().optional(),
  call: CallSchema.optional(),
  phoneNumber: Common.phoneNumber,
  customer: Customer.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type CompletionRequest = z.infer<typeof CompletionRequestSchema>;

export function contentText(content: z.infer<typeof Content> | undefined): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p.type === 'text' ? (p.text ?? '') : '')).join('');
  return '';
}
