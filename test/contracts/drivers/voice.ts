// The voice driver: the fake Vapi (test/fakes/vapi.ts) plays the phone call: a customer is a call (assistant-request
// first), a message is a turn through the custom LLM endpoint, and a redelivery is Vapi asking for the same turn again
// (the same messages). What the customer received is what was spoken back. A call has no outbox: every answer goes
// back in the response to the turn.
import type { ChannelName } from '../../../src/channels/channel.ts';
import { SPOKEN_HANDOFF } from '../../../src/channels/voice/llm.ts';
import { WEBHOOK_PATH } from '../../../src/channels/voice/routes.ts';
import { type FakeCall, startFakeVapi } from '../../fakes/vapi.ts';
import type { ChannelDriver, DriverFactory, Received } from './driver.ts';

const channel: ChannelName = 'voice';
const SECRET = 'contract-vapi-secret';
const PHONE_NUMBER_ID = 'pn-contract-voice';

export const voiceDriver: DriverFactory = {
  channel,
  noOutbox: 'a call is answered in the response to each turn; there is nothing to retry later',
  async open(clock) {
    return {
      env: { TWELVE_VAPI_SECRET: SECRET },
      async attach(world) {
        const agent = await world.agent(channel, { voice: { phoneNumberId: PHONE_NUMBER_ID } });
        const vapi = startFakeVapi({
          serverUrl: `${world.httpBase}${WEBHOOK_PATH}`,
          auth: { type: 'secret', secret: SECRET },
          now: () => clock.now().getTime(),
        });
        const calls = new Map<string, { call: FakeCall; seen: Set<string>; heard: Received[] }>();
        const driver: ChannelDriver = {
          channel,
          agent,
          sender: null,
          failNextSend: null,
          // A caller is not told that someone "will reply here": the call is transferred (transferCall) after one
          // spoken line, so the notice heard is that line.
          handoffNotice: SPOKEN_HANDOFF,
          // A turn that still reaches the assistant before the transfer is answered with the same line, not silence.
          repeatsHandoff: true,
          async customer() {
            const call = vapi.call({ phoneNumberId: PHONE_NUMBER_ID, customer: '+15551230000' });
            const res = await call.assistantRequest();
            if (res.status !== 200) throw new Error(`assistant-request answered ${res.status}`);
            calls.set(call.id, { call, seen: new Set(), heard: [] });
            return call.id;
          },
          async send(customer, text, providerId) {
            const c = calls.get(customer)!;
            const turn = c.seen.has(providerId) ? await c.call.repeatTurn() : await c.call.say(text);
            if (turn.status !== 200) throw new Error(`the turn answered ${turn.status}`);
            if (!c.seen.has(providerId)) c.heard.push({ text: turn.text, inThread: true });
            c.seen.add(providerId);
          },
          async received(customer) {
            return [...calls.get(customer)!.heard];
          },
          async conversationId(customer) {
            return `v_${customer}`;
          },
          async close() {},
        };
        return driver;
      },
      async close() {},
    };
  },
};
