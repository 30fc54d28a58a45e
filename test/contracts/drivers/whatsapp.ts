// The WhatsApp driver: the fake Graph API (test/fakes/graph.ts) plays Meta on both sides: it POSTs signed message
// notifications to the server's webhook, and receives what the outbox sends. A message's provider id is its wamid; a
// redelivery is the same notification, byte for byte. What the customer received is what Graph accepted for them.
import type { ChannelName } from '../../../src/channels/channel.ts';
import { whatsAppConfigFromEnv } from '../../../src/channels/whatsapp/config.ts';
import { WEBHOOK_PATH, whatsAppProcessing } from '../../../src/channels/whatsapp/routes.ts';
import { buildWhatsAppSender } from '../../../src/channels/whatsapp/sender.ts';
import { startFakeGraph } from '../../fakes/graph.ts';
import {
  ACCESS_TOKEN,
  APP_SECRET,
  customerNumber,
  PHONE_NUMBER_ID,
  VERIFY_TOKEN,
} from '../../support/whatsapp.ts';
import type { ChannelDriver, DriverFactory } from './driver.ts';

const channel: ChannelName = 'whatsapp';

export const whatsappDriver: DriverFactory = {
  channel,
  noOutbox: null,
  async open(clock) {
    const graph = await startFakeGraph({
      accessToken: ACCESS_TOKEN,
      appSecret: APP_SECRET,
      now: () => clock.now().getTime(),
    });
    const env = {
      TWELVE_WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
      TWELVE_WHATSAPP_APP_SECRET: APP_SECRET,
      TWELVE_WHATSAPP_ACCESS_TOKEN: ACCESS_TOKEN,
      TWELVE_GRAPH_BASE_URL: graph.baseUrl,
    };
    return {
      env,
      async attach(world) {
        const agent = await world.agent(channel, { whatsapp: { phoneNumberId: PHONE_NUMBER_ID } });
        const sender = buildWhatsAppSender(whatsAppConfigFromEnv(env), { clock });
        const url = `${world.httpBase}${WEBHOOK_PATH}`;
        /** Each notification by provider id: a redelivery sends the same one again. */
        const events = new Map<string, Record<string, unknown>>();
        const customers = new Set<string>();
        const driver: ChannelDriver = {
          channel,
          agent,
          sender,
          async customer() {
            const number = customerNumber();
            customers.add(number);
            return number;
          },
          async send(customer, text, providerId) {
            const wamid = `wamid.${providerId}`;
            let event = events.get(wamid);
            if (!event) {
              event = graph.messageEvent({ phoneNumberId: PHONE_NUMBER_ID, from: customer, id: wamid, text });
              events.set(wamid, event);
            }
            const res = await graph.deliver(url, event);
            if (res.status !== 200) throw new Error(`the webhook answered ${res.status}: ${res.body}`);
            await whatsAppProcessing(world.server)?.idle();
          },
          async received(customer) {
            return graph.sent
              .filter((s) => s.to === customer)
              .map((s) => ({
                text: String((s.body.text as { body?: unknown } | undefined)?.body ?? ''),
                inThread: s.phoneNumberId === PHONE_NUMBER_ID,
              }));
          },
          async conversationId(customer) {
            const [row] = await world.db.query<{ id: string }>(
              `SELECT id FROM conversations WHERE channel = 'whatsapp' AND agent_id = $1 AND address = $2`,
              [agent.id, `+${customer}`],
            );
            if (!row) throw new Error(`no conversation for ${customer}`);
            return row.id;
          },
          failNextSend: () => graph.failNext({ status: 503, code: 131000, message: 'Something went wrong' }),
          close: async () => {},
        };
        return driver;
      },
      close: () => graph.close(),
    };
  },
};
