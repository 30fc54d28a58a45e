// The webhook payload (PROTOCOLS §2.2; https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/).
// Lenient about what we do not use (Meta adds fields without notice: every object is `.loose()`, other `field`s
// and unknown message/status types pass), strict about what we do use (ids, phone numbers, types, text), with
// size caps so a hostile but correctly signed body cannot make us store anything unbounded.
import { z } from 'zod';

const Wamid = z.string().min(1).max(512);
/** A phone number as WhatsApp writes it: digits, no '+' (wa_id, `from`). */
const WaId = z.string().regex(/^[0-9]{5,20}$/, 'a phone number in digits');
/** Unix seconds as a string; 11 digits at most keeps `new Date(s * 1000)` valid. */
const UnixSeconds = z.string().regex(/^[0-9]{1,11}$/, 'Unix seconds as a string');
const ShortText = z.string().max(4096);
/** Business-scoped user ids (`US.13491208655302741918`), rolling out in 2026 (PROTOCOLS §2.2). */
const UserId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/);

const Reply = z.object({ id: z.string().max(512).optional(), title: ShortText }).loose();

export const WhatsAppMessageSchema = z
  .object({
    id: Wamid,
    from: WaId.optional(),
    from_user_id: UserId.optional(),
    timestamp: UnixSeconds,
    type: z.string().min(1).max(64),
    text: z
      .object({ body: z.string().max(65_536) })
      .loose()
      .optional(),
    interactive: z
      .object({
        type: z.string().max(64),
        button_reply: Reply.optional(),
        list_reply: Reply.optional(),
      })
      .loose()
      .optional(),
    button: z
      .object({ text: ShortText, payload: z.string().max(4096).optional() })
      .loose()
      .optional(),
    context: z.object({ id: Wamid.optional() }).loose().optional(),
  })
  .loose()
  .superRefine((m, ctx) => {
    if (m.from === undefined && m.from_user_id === undefined)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'a message needs `from` or `from_user_id`' });
    if (m.type === 'text' && !m.text)
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'a text message needs `text.body`' });
    if (m.type === 'button' && !m.button)
      ctx.addIssue({ code: 'custom', path: ['button'], message: 'a button message needs `button.text`' });
    if (m.type === 'interactive' && !m.interactive)
      ctx.addIssue({
        code: 'custom',
        path: ['interactive'],
        message: 'an interactive message needs `interactive`',
      });
  });
export type WhatsAppMessage = z.infer<typeof WhatsAppMessageSchema>;

export const WhatsAppStatusSchema = z
  .object({
    id: Wamid,
    status: z.string().min(1).max(64),
    recipient_id: z.string().max(128).optional(),
    errors: z
      .array(
        z
          .object({
            code: z.number().int(),
            title: ShortText.optional(),
            message: ShortText.optional(),
            error_data: z.object({ details: ShortText.optional() }).loose().optional(),
          })
          .loose(),
      )
      .max(50)
      .optional(),
  })
  .loose();
export type WhatsAppStatus = z.infer<typeof WhatsAppStatusSchema>;

export const WhatsAppContactSchema = z
  .object({
    wa_id: z.string().max(64).optional(),
    user_id: z.string().max(128).optional(),
    profile: z
      .object({ name: z.string().max(512).optional() })
      .loose()
      .optional(),
  })
  .loose();
export type WhatsAppContact = z.infer<typeof WhatsAppContactSchema>;

/** `value` of a change whose `field` is "messages": inbound messages and/or statuses of ours, for one number. */
export const MessagesValueSchema = z
  .object({
    messaging_product: z.literal('whatsapp'),
    metadata: z.object({ phone_number_id: z.string().regex(/^[0-9]{1,32}$/) }).loose(),
    contacts: z.array(WhatsAppContactSchema).max(1000).optional(),
    messages: z.array(WhatsAppMessageSchema).max(1000).optional(),
    statuses: z.array(WhatsAppStatusSchema).max(1000).optional(),
  })
  .loose();
export type MessagesValue = z.infer<typeof MessagesValueSchema>;

const EnvelopeSchema = z
  .object({
    object: z.string().max(128),
    entry: z
      .array(
        z
          .object({
            changes: z.array(z.object({ field: z.string().max(128), value: z.unknown() }).loose()).max(1000),
          })
          .loose(),
      )
      .max(1000),
  })
  .loose();

export type ParsedWebhook =
  | { ok: true; object: string; values: MessagesValue[]; ignoredFields: string[] }
  | { ok: false; issues: { path: string; message: string }[] };

/**
 * Validates a whole notification before anything is recorded, so a body that is wrong anywhere stores nothing.
 * Changes for other fields (template status updates, account updates…) are collected as ignored, not rejected:
 * one app subscription can carry several fields.
 */
export function parseWebhook(json: unknown): ParsedWebhook {
  const env = EnvelopeSchema.safeParse(json);
  if (!env.success) return { ok: false, issues: issuesOf(env.error, []) };
  const values: MessagesValue[] = [];
  const ignoredFields: string[] = [];
  const issues: { path: string; message: string }[] = [];
  env.data.entry.forEach((entry, e) => {
    entry.changes.forEach((change, c) => {
      if (change.field !== 'messages') {
        ignoredFields.push(change.field);
        return;
      }
      const v = MessagesValueSchema.safeParse(change.value);
      if (v.success) values.push(v.data);
      else issues.push(...issuesOf(v.error, ['entry', e, 'changes', c, 'value']));
    });
  });
  if (issues.length) return { ok: false, issues };
  return { ok: true, object: env.data.object, values, ignoredFields };
}

function issuesOf(error: z.ZodError, prefix: (string | number)[]): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((i) => ({
    path: [...prefix, ...i.path.map(String)].join('.') || '(body)',
    message: i.message,
  }));
}
