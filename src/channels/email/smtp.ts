// Twelve's own inbound SMTP listener (RFC 5321). It accepts mail only for configured support addresses (others:
// 550 at RCPT TO), refuses oversized messages (SIZE, RFC 1870; 552), and answers 250 only after the message is
// recorded (PROTOCOLS §3.1); a database hiccup is a 451, so the sending MTA retries. There is no AUTH and no
// STARTTLS: the listener is meant to sit on loopback behind the organisation's MTA (which does TLS, SPF/DKIM and
// spam filtering), or on a trusted network. Exposing it to the Internet directly is not supported.
import type { AddressInfo } from 'node:net';
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { App } from '../../app.ts';
import type { Log } from '../../events/log.ts';
import { EmailRejected, emailIntake, type IntakeDeps, type IntakeOutcome } from './intake.ts';

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

export interface SmtpListenerDeps extends IntakeDeps {
  log: Log;
  /** Called for each newly recorded message, after the 250 (processing happens outside the SMTP session). */
  onRecorded(externalId: string): void;
}

/** An error whose code the client sees (smtp-server reads `responseCode`). */
function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** Reads DATA, keeping no more than the limit in memory (the rest is read and discarded). */
function readData(stream: SMTPServerDataStream, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    stream.on('end', () => resolve(stream.sizeExceeded || size > limit ? null : Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export async function startSmtpListener(
  app: App,
  deps: SmtpListenerDeps,
  listen: { host: string; port: number },
): Promise<SmtpListener> {
  const limit = deps.config.maxMessageBytes;
  const handleData = async (stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> => {
    const raw = await readData(stream, limit);
    if (!raw) throw smtpError('5.3.4 message exceeds fixed maximum message size', 552);
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const agent = recipients.length ? await deps.book.agentFor(recipients[0]!) : null;
    if (!agent) throw smtpError('4.3.0 the recipient is no longer configured, try again later', 451);
    let outcome: IntakeOutcome;
    try {
      outcome = await emailIntake(app, deps, {
        raw,
        agent,
        recipients,
        envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        source: 'smtp',
      });
    } catch (err) {
      if (err instanceof EmailRejected) throw smtpError(err.message, err.responseCode);
      deps.log.error({ err, session: session.id }, 'email: recording an inbound message failed');
      throw smtpError('4.3.0 temporary failure, try again later', 451);
    }
    // A duplicate too: its first copy may have been recorded by a process that died before answering it.
    if (outcome.status !== 'dropped') deps.onRecorded(outcome.externalId);
    if (outcome.status === 'dropped')
      deps.log.info({ externalId: outcome.externalId, reason: outcome.reason }, 'email: not answering');
    // A dropped message is still accepted: refusing it would make the sender's MTA bounce it back to a robot.
    return `2.0.0 ${outcome.status === 'duplicate' ? 'already received' : 'accepted'}`;
  };

  const { SMTPServer } = await import('smtp-server'); // only where a listener is configured (src/lazy.ts)
  const server = new SMTPServer({
    banner: 'Twelve support mail',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: limit,
    disableReverseLookup: true,
    logger: false,
    maxClients: 64,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    onRcptTo(address, _session, callback) {
      deps.book.agentFor(address.address).then(
        (agent) =>
          callback(agent ? null : smtpError(`5.1.1 <${address.address}>: no such support address`, 550)),
        (err: unknown) => {
          deps.log.error({ err }, 'email: looking up a recipient failed');
          callback(smtpError('4.3.0 temporary failure, try again later', 451));
        },
      );
    },
    onData(stream, session, callback) {
      handleData(stream, session).then(
        (message) => callback(null, message),
        (err: Error) => {
          stream.resume(); // drain whatever is left so the session can continue
          callback(err);
        },
      );
    },
  });
  server.on('error', (err) => deps.log.error({ err }, 'email: SMTP listener error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
