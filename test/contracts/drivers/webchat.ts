// The web chat driver: each customer is a real WebSocket (ChatClient from the web chat's test support) on the
// server's /api/webchat/:agent/socket. A message's provider id is its clientId. What the customer received is the
// agent's and people's message frames and the hand-off announcements.
import type { ChannelName } from '../../../src/channels/channel.ts';
import { ChatClient, type Frame } from '../../support/webchat.ts';
import type { ChannelDriver, DriverFactory, Received, World } from './driver.ts';

const channel: ChannelName = 'webchat';

interface Chat {
  client: ChatClient;
  conversationId: string;
}

class WebchatDriver implements ChannelDriver {
  readonly channel = channel;
  readonly sender = null;
  readonly failNextSend = null;
  private readonly chats = new Map<string, Chat>();

  constructor(
    private readonly world: World,
    readonly agent: ChannelDriver['agent'],
  ) {}

  async customer(): Promise<string> {
    const url = `${this.world.httpBase.replace(/^http/, 'ws')}/api/webchat/${this.agent.name}/socket`;
    const client = await ChatClient.open(url);
    client.send({ type: 'hello' });
    const welcome = await client.type('welcome');
    const key = String(welcome.conversationId);
    this.chats.set(key, { client, conversationId: key });
    return key;
  }

  async send(customer: string, text: string, providerId: string): Promise<void> {
    const { client } = this.chat(customer);
    client.send({ type: 'message', text, clientId: providerId });
    await client.next((f) => f.type === 'message' && f.author === 'customer' && f.clientId === providerId);
    await this.handled(client);
  }

  async received(customer: string): Promise<Received[]> {
    const { client } = this.chat(customer);
    await this.handled(client);
    return client.frames
      .filter((f) => (f.type === 'message' && f.author !== 'customer') || f.type === 'handoff')
      .map((f) => ({ text: String(f.text), inThread: true }));
  }

  async conversationId(customer: string): Promise<string> {
    return this.chat(customer).conversationId;
  }

  async close(): Promise<void> {
    for (const { client } of this.chats.values()) client.close();
  }

  private chat(customer: string): Chat {
    const chat = this.chats.get(customer);
    if (!chat) throw new Error(`no chat ${customer}`);
    return chat;
  }

  /**
   * Waits until the socket has handled every frame sent before: a socket handles frames one at a time, in order, and
   * a second hello is refused in turn, so its refusal comes after whatever the frames before it pushed.
   */
  private async handled(client: ChatClient): Promise<void> {
    client.send({ type: 'hello' });
    await client.next((f: Frame) => f.type === 'error' && /hello was already said/.test(String(f.message)));
  }
}

export const webchatDriver: DriverFactory = {
  channel,
  noOutbox: 'web chat answers on the open socket; it has no outbox to retry',
  async open() {
    return {
      env: {},
      attach: async (world) => new WebchatDriver(world, await world.agent(channel)),
      close: async () => {},
    };
  },
};
