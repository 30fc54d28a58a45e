// Test and bench kit for the email channel: a real SMTP sink that records what the outbox sends, a real client
// that sends to Twelve's listener, a throwaway Dovecot for IMAP, and a production-ready support agent with an
// address and the example knowledge base. Nothing here is used by the running product.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { type ParsedMail, simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import type { App } from '../../src/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { kbImporter } from '../../src/knowledge/import.ts';
import { assessmentRecorder, evaluationRecorder } from '../../src/readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../../src/runtime/agents.ts';
import type { AgentConfig } from '../../src/runtime/types.ts';

/** A manual clock that moves 1 ms on every read, as real time does: rows written in turn never tie. */
export class TickingClock extends ManualClock {
  override now(): Date {
    this.advance(1);
    return super.now();
  }
}

const KB = join(import.meta.dirname, '../../examples/northwind-cycles/faq.json');

/** A support agent that answers on its own (evaluated, assessed), reachable at `address`. */
export async function emailSupportAgent(app: App, name: string, address: string): Promise<AgentConfig> {
  const actor = 'user:a@example.com';
  const agent = await agentCreator(app, actor, { kind: SUPPORT_KIND, name, confidenceThreshold: 0.5 });
  await kbImporter(app, actor, agent.id, KB);
  const ready = await agentUpdater(app, actor, agent.id, {
    escalationContacts: ['t@example.com'],
    spendCapCents: 0,
    config: { email: { address, name: 'Northwind Support' } },
  });
  await evaluationRecorder(app, actor, agent.id, { kind: SUPPORT_KIND, passed: true, report: {} });
  await assessmentRecorder(app, actor, agent.id, { clarity: 4, tolerance: 4, fallback: 5 });
  return ready;
}

export interface SinkMessage {
  raw: Buffer;
  mail: ParsedMail;
  envelope: { from: string; to: string[] };
}

export interface SmtpSink {
  port: number;
  messages: SinkMessage[];
  /** Refuses the next n messages at DATA with this reply code. */
  refuse(code: number, n?: number): void;
  waitFor(count: number, timeoutMs?: number): Promise<SinkMessage[]>;
  close(): Promise<void>;
}

/** An SMTP server that keeps every message it is given: the "customer's mail server" in tests. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  let refusal: { code: number; n: number } | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusal && refusal.n-- > 0) {
          const code = refusal.code;
          return callback(Object.assign(new Error(`${code} refused by the sink`), { responseCode: code }));
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then((mail) => {
          messages.push({
            raw,
            mail,
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
          });
          callback();
        }, callback);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    messages,
    refuse(code, n = 1) {
      refusal = { code, n };
    },
    async waitFor(count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      if (messages.length < count) throw new Error(`the sink got ${messages.length} of ${count} messages`);
      return messages;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface OutgoingTestMail {
  from: string;
  replyTo?: string;
  to: string;
  subject?: string;
  text?: string;
  html?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  attachments?: { filename: string; content: Buffer; contentType?: string }[];
  envelope?: { from: string; to: string[] };
}

/** A real SMTP client (nodemailer) sending to Twelve's listener; resolves with the server's reply. */
export async function sendTo(port: number, mail: OutgoingTestMail): Promise<string> {
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    const info = await transport.sendMail(mail);
    return String(info.response);
  } finally {
    transport.close();
  }
}

export const dovecotAvailable = existsSync('/usr/sbin/dovecot');

export interface Dovecot {
  port: number;
  user: string;
  pass: string;
  /** imap://user:pass@127.0.0.1:port/INBOX */
  url: string;
  append(raw: string | Buffer): Promise<void>;
  /** UIDs of messages without \Seen. */
  unseen(): Promise<number[]>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const address = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * A real Dovecot (Debian packages dovecot-core + dovecot-imapd) on a free loopback port with a throwaway config:
 * plaintext login (loopback only), one passwd-file user, Maildir in a temp folder. Runs as root or as any user.
 */
export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'twelve-dovecot-'));
  const port = await freePort();
  const user = 'support@northwind.example';
  const pass = 'dovecot-test-password';
  const root = process.getuid?.() === 0;
  const id = (flag: string, name: string) => execFileSync('id', [flag, name]).toString().trim();
  const me = root ? 'dovecot' : execFileSync('id', ['-un']).toString().trim();
  const [uid, gid] = root ? [id('-u', 'dovecot'), id('-g', 'dovecot')] : [id('-u', me), id('-g', me)];
  // Dovecot's unprivileged processes must reach the passwd file and the mail folder.
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  chmodSync(join(dir, 'mail'), 0o1777);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${pass}\n`);
  writeFileSync(
    join(dir, 'dovecot.conf'),
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = ${me}
default_login_user = ${root ? 'dovenull' : me}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%u
}
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
`,
  );
  const child = spawn('/usr/sbin/dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  const client = () =>
    new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass }, logger: false });
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when a login works (Dovecot starts in about a second); give up after ten.
  for (let i = 0; ; i++) {
    const c = client();
    c.on('error', () => {});
    try {
      await c.connect();
      await c.logout();
      break;
    } catch (err) {
      if (i < 50) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      const log = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : '';
      await stop();
      throw new Error(`Dovecot did not start: ${String(err)}\n${log.split('\n').slice(-10).join('\n')}`);
    }
  }
  const withClient = async <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = client();
    c.on('error', () => {});
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout();
    }
  };
  return {
    port,
    user,
    pass,
    url: `imap://${encodeURIComponent(user)}:${pass}@127.0.0.1:${port}/INBOX`,
    append: (raw) => withClient(async (c) => void (await c.append('INBOX', raw))),
    unseen: () =>
      withClient(async (c) => {
        const lock = await c.getMailboxLock('INBOX');
        try {
          return (await c.search({ seen: false }, { uid: true })) || [];
        } finally {
          lock.release();
        }
      }),
    close: stop,
  };
}
