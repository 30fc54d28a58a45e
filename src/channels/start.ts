// Starts a node's asynchronous channels from the environment: the email listener and IMAP poller, the senders the
// outbox delivers with (email, WhatsApp), and the pump that keeps the outbox and unprocessed inbound mail moving.
// Channels without settings stay off. WhatsApp's webhook routes are registered by the server itself.
import type { App } from '../app.ts';
import type { EventBus } from '../events/bus.ts';
import type { Log } from '../events/log.ts';
import { startPresence } from '../runtime/presence.ts';
import type { ChannelName, ChannelSender } from './channel.ts';
import { emailConfigFromEnv } from './email/config.ts';
import { buildEmailSender, startEmailChannel } from './email/service.ts';
import { ChannelPump } from './pump.ts';
import { whatsAppConfigFromEnv, whatsAppEnabled } from './whatsapp/config.ts';
import { buildWhatsAppSender } from './whatsapp/sender.ts';

export interface RunningChannels {
  senders: ReadonlyMap<ChannelName, ChannelSender>;
  emailPort: number | null;
  stop(): Promise<void>;
}

/** Reads and validates every channel setting; throws ConfigError listing the problems (before anything starts). */
export function channelSettingsFromEnv(env: NodeJS.ProcessEnv) {
  return { email: emailConfigFromEnv(env), whatsapp: whatsAppConfigFromEnv(env) };
}

export async function startChannels(
  app: App,
  bus: EventBus,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<RunningChannels> {
  const settings = channelSettingsFromEnv(env);
  const senders = new Map<ChannelName, ChannelSender>();
  const email = buildEmailSender(settings.email);
  if (email) senders.set('email', email);
  if (whatsAppEnabled(settings.whatsapp))
    senders.set('whatsapp', buildWhatsAppSender(settings.whatsapp, { clock: app.clock }));
  // Before anything is claimed: the claims of this node are known to be alive for as long as it runs.
  const presence = await startPresence(app.db, app.nodeId, (err) =>
    log.warn({ err }, "presence: the connection holding this node's lock broke; taking it again"),
  );
  const emailChannel = await startEmailChannel(app, settings.email, { log });
  const pump = new ChannelPump(app, senders, { log });
  pump.start(bus);
  return {
    senders,
    emailPort: emailChannel.port,
    async stop() {
      await Promise.allSettled([pump.stop(), emailChannel.stop()]);
      email?.close();
      await presence.stop();
    },
  };
}
