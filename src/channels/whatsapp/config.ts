// WhatsApp Cloud API settings from the environment. All optional: without them the channel is off (no webhook
// routes, no sender). A half-configured channel is refused at start-up, in words a person can act on, because it
// would otherwise fail quietly (events acknowledged but never answered, or replies that can never be sent).
// Secrets are never echoed back in problems.
import { z } from 'zod';
import { ConfigError } from '../../config.ts';

/**
 * Graph API version: v25.0 is available until 29 July 2028 (https://developers.facebook.com/docs/graph-api/changelog/versions/);
 * v21.0, the PROTOCOLS §2.3 example, expires on 21 January 2027. Override with TWELVE_GRAPH_BASE_URL.
 */
export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com/v25.0';

export interface WhatsAppTemplate {
  /** An approved template's name (lowercase letters, digits, underscores). */
  name: string;
  /** Its language code, as approved: `en`, `en_US`, `pt_BR`. */
  language: string;
}

export interface WhatsAppConfig {
  /** Echoed back on the subscription handshake (PROTOCOLS §2.1). */
  verifyToken: string | null;
  /** Keys the HMAC of X-Hub-Signature-256 (PROTOCOLS §2.2). */
  appSecret: string | null;
  /** A system-user access token with whatsapp_business_messaging (PROTOCOLS §2.3). */
  accessToken: string | null;
  /** `https://graph.facebook.com/v25.0`, or a fake's URL in tests; no trailing slash. */
  graphBaseUrl: string;
  /** Sent instead of free text when a human replies outside the 24-hour window (PROTOCOLS §2.4). */
  template: WhatsAppTemplate | null;
}

export type EnabledWhatsAppConfig = WhatsAppConfig & {
  verifyToken: string;
  appSecret: string;
  accessToken: string;
};

const Secret = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(4096)
  .regex(/^\S+$/, 'must not contain spaces');

const Schema = z.object({
  verifyToken: Secret.optional(),
  appSecret: Secret.optional(),
  accessToken: Secret.optional(),
  graphBaseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://graph.facebook.com/v25.0' })
    .transform((u) => u.replace(/\/+$/, '')),
  template: z
    .string()
    .regex(
      /^[a-z0-9_]{1,512}:[A-Za-z]{2,3}(_[A-Za-z0-9]{2,4})?$/,
      'must be <template name>:<language code>, e.g. support_followup:en',
    )
    .optional(),
});

const ENV_NAMES: Record<keyof z.infer<typeof Schema>, string> = {
  verifyToken: 'TWELVE_WHATSAPP_VERIFY_TOKEN',
  appSecret: 'TWELVE_WHATSAPP_APP_SECRET',
  accessToken: 'TWELVE_WHATSAPP_ACCESS_TOKEN',
  graphBaseUrl: 'TWELVE_GRAPH_BASE_URL',
  template: 'TWELVE_WHATSAPP_TEMPLATE',
};
const SECRET_KEYS = new Set(['verifyToken', 'appSecret', 'accessToken']);

/** Reads the TWELVE_WHATSAPP_* variables; throws ConfigError listing every problem at once. */
export function whatsAppConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WhatsAppConfig {
  const raw = {
    verifyToken: env.TWELVE_WHATSAPP_VERIFY_TOKEN || undefined,
    appSecret: env.TWELVE_WHATSAPP_APP_SECRET || undefined,
    accessToken: env.TWELVE_WHATSAPP_ACCESS_TOKEN || undefined,
    graphBaseUrl: env.TWELVE_GRAPH_BASE_URL || DEFAULT_GRAPH_BASE_URL,
    template: env.TWELVE_WHATSAPP_TEMPLATE || undefined,
  };
  const parsed = Schema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        const key = i.path[0] as keyof typeof ENV_NAMES;
        const got = SECRET_KEYS.has(key) ? '' : ` (got ${JSON.stringify(raw[key])})`;
        return `${ENV_NAMES[key] ?? String(key)}: ${i.message}${got}`;
      });
  const set = (['verifyToken', 'appSecret', 'accessToken'] as const).filter((k) => raw[k] !== undefined);
  if (set.length > 0 && set.length < 3) {
    const missing = (['verifyToken', 'appSecret', 'accessToken'] as const).filter(
      (k) => raw[k] === undefined,
    );
    problems.push(
      `WhatsApp is half-configured: set ${missing.map((k) => ENV_NAMES[k]).join(' and ')} too, or unset ${set
        .map((k) => ENV_NAMES[k])
        .join(' and ')} to turn the channel off`,
    );
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const d = parsed.data;
  const [name, language] = d.template ? d.template.split(':') : [];
  return {
    verifyToken: d.verifyToken ?? null,
    appSecret: d.appSecret ?? null,
    accessToken: d.accessToken ?? null,
    graphBaseUrl: d.graphBaseUrl,
    template: name && language ? { name, language } : null,
  };
}

/** The channel works both ways only with all three secrets; the loader refuses anything in between. */
export function whatsAppEnabled(config: WhatsAppConfig): config is EnabledWhatsAppConfig {
  return config.verifyToken !== null && config.appSecret !== null && config.accessToken !== null;
}
