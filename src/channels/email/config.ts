// Email settings from the environment. All optional: without them the channel is off. Receiving is either Twelve's
// own SMTP listener (TWELVE_SMTP_LISTEN_PORT) or polling an existing mailbox over IMAP (TWELVE_IMAP_URL with
// TWELVE_IMAP_AGENT); sending is an SMTP relay (TWELVE_SMTP_URL). Which agent an address belongs to lives on the
// agent (config.email.address). Problems are reported together; passwords in URLs are never echoed back.
import { z } from 'zod';
import { ConfigError } from '../../config.ts';
import type { AttachmentLimits } from './normalize.ts';

export interface ImapSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
  /** The agent the mailbox belongs to: its id or name. */
  agent: string;
  pollSeconds: number;
}

export interface EmailConfig {
  /** The inbound SMTP listener; null when off. Port 0 picks a free port (tests). */
  listen: { host: string; port: number } | null;
  /** The outbound relay, `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. */
  smtpUrl: string | null;
  /** Display name on outbound mail when the agent sets none (TWELVE_MAIL_FROM: `Name` or `Name <address>`). */
  fromName: string | null;
  /** Sending address for agents without config.email.address (from TWELVE_MAIL_FROM's `<address>`). */
  fromAddress: string | null;
  imap: ImapSettings | null;
  /** Largest message accepted (SMTP SIZE, RFC 1870; larger → 552). */
  maxMessageBytes: number;
  attachments: AttachmentLimits;
  /** More messages than this from one sender to one agent within an hour are dropped (a loop breaker, RFC 3834 §2). */
  maxPerSenderPerHour: number;
}

export const EMAIL_DEFAULTS = {
  maxMessageBytes: 10 * 1024 * 1024,
  attachments: { maxFiles: 10, maxTotalBytes: 10 * 1024 * 1024 },
  maxPerSenderPerHour: 20,
} as const;

const Schema = z.object({
  listenPort: z.coerce.number().int().min(0).max(65535).optional(),
  listenHost: z.string().min(1),
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\/[^/\s]+/, 'must be smtp://[user:pass@]host[:port] or smtps://…')
    .optional(),
  mailFrom: z
    .string()
    .max(300)
    .regex(/^[^<>]*(<[^\s@<>]+@[^\s@<>]+>)?\s*$/, 'must be a display name, or `Name <address>`')
    .optional(),
  imapUrl: z
    .string()
    .regex(/^imaps?:\/\/[^/\s]+@[^/\s]+/, 'must be imaps://user:pass@host[:port][/MAILBOX]')
    .optional(),
  imapAgent: z.string().min(1).max(200).optional(),
  imapPollSeconds: z.coerce.number().int().min(1).max(86_400),
});

const ENV_NAMES: Record<keyof z.infer<typeof Schema>, string> = {
  listenPort: 'TWELVE_SMTP_LISTEN_PORT',
  listenHost: 'TWELVE_SMTP_LISTEN_HOST',
  smtpUrl: 'TWELVE_SMTP_URL',
  mailFrom: 'TWELVE_MAIL_FROM',
  imapUrl: 'TWELVE_IMAP_URL',
  imapAgent: 'TWELVE_IMAP_AGENT',
  imapPollSeconds: 'TWELVE_IMAP_POLL_SECONDS',
};
const SECRET_KEYS = new Set(['smtpUrl', 'imapUrl']);

/** Reads the email variables; throws ConfigError listing every problem at once. */
export function emailConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmailConfig {
  const raw = {
    listenPort: env.TWELVE_SMTP_LISTEN_PORT || undefined,
    listenHost: env.TWELVE_SMTP_LISTEN_HOST || '127.0.0.1',
    smtpUrl: env.TWELVE_SMTP_URL || undefined,
    mailFrom: env.TWELVE_MAIL_FROM || undefined,
    imapUrl: env.TWELVE_IMAP_URL || undefined,
    imapAgent: env.TWELVE_IMAP_AGENT || undefined,
    imapPollSeconds: env.TWELVE_IMAP_POLL_SECONDS || '60',
  };
  const parsed = Schema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        const key = i.path[0] as keyof typeof ENV_NAMES;
        const got = SECRET_KEYS.has(key) ? '' : ` (got ${JSON.stringify(raw[key])})`;
        return `${ENV_NAMES[key] ?? String(key)}: ${i.message}${got}`;
      });
  if (raw.imapUrl && !raw.imapAgent)
    problems.push('TWELVE_IMAP_URL is set without TWELVE_IMAP_AGENT: name the agent the mailbox belongs to');
  if (raw.imapAgent && !raw.imapUrl) problems.push('TWELVE_IMAP_AGENT is set without TWELVE_IMAP_URL');
  const imap = parsed.success && parsed.data.imapUrl ? imapFromUrl(parsed.data.imapUrl, problems) : null;
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const d = parsed.data;
  const from = /^\s*(.*?)\s*(?:<([^<>]+)>)?\s*$/.exec(d.mailFrom ?? '');
  return {
    listen: d.listenPort === undefined ? null : { host: d.listenHost, port: d.listenPort },
    smtpUrl: d.smtpUrl ?? null,
    fromName: from?.[1] || null,
    fromAddress: from?.[2]?.toLowerCase() ?? null,
    imap: imap && d.imapAgent ? { ...imap, agent: d.imapAgent, pollSeconds: d.imapPollSeconds } : null,
    ...EMAIL_DEFAULTS,
  };
}

function imapFromUrl(value: string, problems: string[]): Omit<ImapSettings, 'agent' | 'pollSeconds'> | null {
  try {
    const url = new URL(value);
    const secure = url.protocol === 'imaps:';
    const mailbox = decodeURIComponent(url.pathname.replace(/^\/+/, '')) || 'INBOX';
    if (!url.username) throw new Error('no user');
    return {
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : secure ? 993 : 143,
      secure,
      user: decodeURIComponent(url.username),
      pass: decodeURIComponent(url.password),
      mailbox,
    };
  } catch {
    problems.push(
      'TWELVE_IMAP_URL: must be imaps://user:pass@host[:port][/MAILBOX] (URL-encode @ in the user)',
    );
    return null;
  }
}

export function emailInboundEnabled(config: EmailConfig): boolean {
  return config.listen !== null || config.imap !== null;
}

export function emailOutboundEnabled(config: EmailConfig): config is EmailConfig & { smtpUrl: string } {
  return config.smtpUrl !== null;
}
