// The email driver: customers write over real SMTP (nodemailer) to the channel's own listener, and the outbox sends
// through a real SMTP relay, the sink of the email channel's test kit, which keeps what the customer's mail server
// would get. A message's provider id is its Message-ID; a customer's later messages reply to their thread.
import type { ChannelName } from '../../../src/channels/channel.ts';
import { EMAIL_DEFAULTS, type EmailConfig } from '../../../src/channels/email/config.ts';
import { buildEmailSender, startEmailChannel } from '../../../src/channels/email/service.ts';
import { type OutgoingTestMail, sendTo, startSmtpSink } from '../../support/email.ts';
import type { ChannelDriver, DriverFactory, Received } from './driver.ts';

const channel: ChannelName = 'email';

export const emailDriver: DriverFactory = {
  channel,
  noOutbox: null,
  async open() {
    const sink = await startSmtpSink();
    let stop = async () => {};
    return {
      env: {},
      async attach(world) {
        const address = `help-${Math.random().toString(36).slice(2, 8)}@shop.example`;
        const agent = await world.agent(channel, { email: { address, name: 'Contract Shop' } });
        const config: EmailConfig = {
          ...EMAIL_DEFAULTS,
          listen: { host: '127.0.0.1', port: 0 },
          smtpUrl: `smtp://127.0.0.1:${sink.port}`,
          fromName: null,
          fromAddress: null,
          imap: null,
        };
        const listener = await startEmailChannel(world.app, config);
        const sender = buildEmailSender(config)!;
        stop = async () => {
          await listener.stop();
          sender.close();
        };
        /** Per customer: the Message-IDs they wrote, and each mail by provider id (a redelivery is the same mail). */
        const threads = new Map<string, { ids: string[]; mails: Map<string, OutgoingTestMail> }>();
        const thread = (customer: string) => {
          const t = threads.get(customer);
          if (!t) throw new Error(`no customer ${customer}`);
          return t;
        };
        const driver: ChannelDriver = {
          channel,
          agent,
          sender,
          async customer() {
            const customer = `customer-${Math.random().toString(36).slice(2, 10)}@example.com`;
            threads.set(customer, { ids: [], mails: new Map() });
            return customer;
          },
          async send(customer, text, providerId) {
            const t = thread(customer);
            let mail = t.mails.get(providerId);
            if (!mail) {
              const messageId = `<${providerId}@example.com>`;
              mail = {
                from: customer,
                to: address,
                subject: 'A question',
                text,
                messageId,
                ...(t.ids.length ? { inReplyTo: t.ids.at(-1)!, references: [...t.ids] } : {}),
              };
              t.mails.set(providerId, mail);
              t.ids.push(messageId);
            }
            await sendTo(listener.port!, mail);
            await listener.idle();
          },
          async received(customer) {
            const ids = thread(customer).ids;
            return sink.messages
              .filter((m) => m.envelope.to.includes(customer))
              .map(
                (m): Received => ({
                  text: (m.mail.text ?? '').trim(),
                  // Threaded under the customer's own mail (In-Reply-To, or References after our earlier replies).
                  inThread: [m.mail.inReplyTo ?? [], m.mail.references ?? []]
                    .flat()
                    .some((r) => ids.includes(r)),
                }),
              );
          },
          async conversationId(customer) {
            const [first] = thread(customer).ids;
            const [row] = await world.db.query<{ conversation_id: string }>(
              `SELECT conversation_id FROM channel_inbound WHERE channel = 'email' AND external_id = $1`,
              [first],
            );
            if (!row?.conversation_id) throw new Error(`no conversation for ${customer}`);
            return row.conversation_id;
          },
          failNextSend: () => sink.refuse(451),
          close: () => stop(),
        };
        return driver;
      },
      async close() {
        await stop();
        await sink.close();
      },
    };
  },
};
