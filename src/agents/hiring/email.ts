// The confirmation email to a candidate: the reference code, that AI helps screen, and how to ask for a human
// review. Sent through the platform's SMTP relay (TWELVE_SMTP_URL; from the agent's config.email.address or
// TWELVE_MAIL_FROM). At most once per application: the send is claimed by a conditional update of
// confirmation_sent_at, which is cleared again if the relay refused, so the next sweep (the screening job) retries.
import type { Transporter } from 'nodemailer';
import { emailConfigFromEnv } from '../../channels/email/config.ts';
import type { Services } from '../../context.ts';
import { lazy } from '../../lazy.ts';

const nodemailer = lazy<typeof import('nodemailer')>('nodemailer');

export interface HiringMailer {
  send(mail: {
    from: { name: string; address: string };
    to: string;
    subject: string;
    text: string;
  }): Promise<void>;
  close(): void;
}

/** The relay from the environment, built on first use; null when no relay is configured. */
export function mailerFromEnv(env: NodeJS.ProcessEnv = process.env): () => HiringMailer | null {
  let transport: Transporter | null = null;
  let config: ReturnType<typeof emailConfigFromEnv> | null = null;
  let mailer: HiringMailer | null = null;
  return () => {
    if (mailer) return mailer;
    if (!env.TWELVE_SMTP_URL) return null;
    config = emailConfigFromEnv(env);
    transport = nodemailer().createTransport({
      url: config.smtpUrl!,
      connectionTimeout: 10_000,
      socketTimeout: 30_000,
    });
    const fallback = config.fromAddress;
    mailer = {
      send: async (mail) => {
        await transport!.sendMail({
          ...mail,
          from: { name: mail.from.name, address: mail.from.address || fallback || '' },
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
      },
      close: () => transport?.close(),
    };
    return mailer;
  };
}

export function confirmationText(p: {
  name: string;
  company: string;
  job: string;
  reference: string;
  publicUrl?: string;
}) {
  return [
    `Hello ${p.name},`,
    '',
    `Thank you for applying for ${p.job} at ${p.company}. Your reference is ${p.reference}.`,
    '',
    'An AI system helps us screen applications: it compares your resume with the job’s requirements, with your name,',
    'contact details and other personal details removed first. It never rejects anyone: people make every decision.',
    '',
    `You can ask for a person to review your application at any time: reply to this email, or use the form on our`,
    `career page with your reference ${p.reference} and this email address.`,
    '',
    `— ${p.company}`,
  ].join('\n');
}

/** Sends the confirmations not sent yet (oldest first); answers how many went out. */
export async function sendConfirmations(
  svc: Services,
  mailer: HiringMailer | null,
  options: { limit?: number; applicationId?: string } = {},
): Promise<{ sent: number; failed: number }> {
  if (!mailer) return { sent: 0, failed: 0 };
  const due = await svc.db.query<{ id: string }>(
    `SELECT id FROM hiring_applications WHERE confirmation_sent_at IS NULL AND erased_at IS NULL
       AND source = 'career_page' AND ($1::uuid IS NULL OR id = $1)
     ORDER BY created_at LIMIT $2`,
    [options.applicationId ?? null, options.limit ?? 100],
  );
  let sent = 0;
  let failed = 0;
  for (const { id } of due) {
    const [row] = await svc.db.query<{
      name: string;
      email: string;
      reference: string;
      title: string;
      display_name: string;
      config: { email?: { address?: string; name?: string } };
    }>(
      `UPDATE hiring_applications a SET confirmation_sent_at = $2 FROM hiring_jobs j, agents g
       WHERE a.id = $1 AND a.confirmation_sent_at IS NULL AND j.id = a.job_id AND g.id = a.agent_id
       RETURNING a.name, a.email, a.reference, j.title, g.display_name, g.config`,
      [id, svc.clock.now()],
    );
    if (!row) continue;
    const company = row.display_name;
    try {
      await mailer.send({
        from: { name: row.config?.email?.name ?? company, address: row.config?.email?.address ?? '' },
        to: row.email,
        subject: `Your application for ${row.title} (${row.reference})`,
        text: confirmationText({ name: row.name, company, job: row.title, reference: row.reference }),
      });
      sent++;
    } catch {
      failed++;
      await svc.db.query('UPDATE hiring_applications SET confirmation_sent_at = NULL WHERE id = $1', [id]);
    }
  }
  return { sent, failed };
}
