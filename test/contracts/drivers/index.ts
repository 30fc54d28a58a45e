// One driver per channel: the type asks for every ChannelName, so a new channel does not compile without one.
import type { ChannelName } from '../../../src/channels/channel.ts';
import type { DriverFactory } from './driver.ts';
import { emailDriver } from './email.ts';
import { voiceDriver } from './voice.ts';
import { webchatDriver } from './webchat.ts';
import { whatsappDriver } from './whatsapp.ts';

export const CHANNEL_DRIVERS: Readonly<Record<ChannelName, DriverFactory>> = {
  webchat: webchatDriver,
  email: emailDriver,
  whatsapp: whatsappDriver,
  voice: voiceDriver,
};
