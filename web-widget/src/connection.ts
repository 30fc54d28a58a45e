// The chat socket as the widget sees it: hello with the stored conversation (id + resume token, kept in
// localStorage per agent), an outbox of messages the server has not confirmed (resent after a reconnect, never
// twice: the server drops a clientId it has already stored), and reconnection with jittered exponential backoff.
// Every reconnect starts with a fresh welcome carrying the whole transcript, so nothing missed while offline is lost.

export interface WireSource {
  id: string;
  title: string;
}

export interface WireMessage {
  id: string;
  author: 'agent' | 'human' | 'customer';
  text: string;
  sources: WireSource[];
  at: string;
  clientId?: string;
}

export interface Welcome {
  conversationId: string;
  resumeToken?: string;
  agent: { name: string; displayName: string };
  messages: WireMessage[];
}

export type Status = 'connecting' | 'online' | 'offline' | 'unavailable';

export interface ChatEvents {
  welcome(w: Welcome, unsent: Array<{ clientId: string; text: string }>): void;
  message(m: WireMessage): void;
  handoff(text: string, at: string): void;
  /** The customer's answer to "Was this helpful?", as the server stored it. */
  rated(rating: 'up' | 'down'): void;
  error(e: { id: string; message: string; clientId?: string }): void;
  status(s: Status): void;
}

interface Saved {
  conversationId: string;
  resumeToken: string;
}

const MAX_DELAY_MS = 30_000;

export function storageKey(agent: string): string {
  return `twelve-chat:${agent}`;
}

function load(key: string): Saved | null {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? 'null') as Partial<Saved> | null;
    return v && typeof v.conversationId === 'string' && typeof v.resumeToken === 'string'
      ? { conversationId: v.conversationId, resumeToken: v.resumeToken }
      : null;
  } catch {
    // Storage can be disabled (privacy modes, sandboxed frames): the chat still works for this page view.
    return null;
  }
}

function save(key: string, value: Saved): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {}
}

function newClientId(): string {
  // crypto.randomUUID needs a secure context; getRandomValues works on any page.
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class Connection {
  private ws: WebSocket | null = null;
  private ready = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private wantHuman = false;
  /** Sent or waiting, not yet confirmed by the server: clientId → text. */
  readonly outbox = new Map<string, string>();

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly on: ChatEvents,
  ) {
    addEventListener('online', () => this.retryNow());
  }

  get started(): boolean {
    return this.ws !== null || this.timer !== null || this.stopped;
  }

  static hasSaved(agent: string): boolean {
    return load(storageKey(agent)) !== null;
  }

  connect(): void {
    if (this.stopped || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return;
    this.on.status('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.schedule();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      const saved = load(this.key);
      ws.send(JSON.stringify({ type: 'hello', ...(saved ?? {}) }));
    };
    ws.onmessage = (e) => this.receive(e.data);
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      // 4404: this chat does not exist or is switched off; retrying would not change that.
      if (e.code === 4404) {
        this.stopped = true;
        this.on.status('unavailable');
        return;
      }
      this.on.status('offline');
      this.schedule(e.code === 4429 ? 4 : 0);
    };
  }

  send(text: string): string {
    const clientId = newClientId();
    this.outbox.set(clientId, text);
    if (this.ready) this.frame({ type: 'message', text, clientId });
    else this.connect();
    return clientId;
  }

  askForHuman(): void {
    if (this.ready) this.frame({ type: 'human' });
    else {
      this.wantHuman = true;
      this.connect();
    }
  }

  /** "Was this helpful?": up or down; sending the same answer again changes nothing on the server. */
  rate(rating: 'up' | 'down'): void {
    if (this.ready) this.frame({ type: 'rate', rating });
  }

  private frame(f: Record<string, unknown>): void {
    this.ws?.send(JSON.stringify(f));
  }

  private receive(data: unknown): void {
    let f: { type?: string } & Record<string, unknown>;
    try {
      f = JSON.parse(String(data));
    } catch {
      return;
    }
    if (f.type === 'welcome') {
      const w = f as unknown as Welcome;
      if (w.resumeToken) save(this.key, { conversationId: w.conversationId, resumeToken: w.resumeToken });
      this.ready = true;
      this.attempt = 0;
      this.on.status('online');
      // What the server already has is confirmed; the rest is sent (again) now.
      for (const m of w.messages) if (m.clientId) this.outbox.delete(m.clientId);
      const unsent = [...this.outbox].map(([clientId, text]) => ({ clientId, text }));
      this.on.welcome(w, unsent);
      for (const u of unsent) this.frame({ type: 'message', text: u.text, clientId: u.clientId });
      if (this.wantHuman) {
        this.wantHuman = false;
        this.frame({ type: 'human' });
      }
    } else if (f.type === 'message') {
      const m = f as unknown as WireMessage;
      if (m.clientId) this.outbox.delete(m.clientId);
      this.on.message(m);
    } else if (f.type === 'rated') {
      if (f.rating === 'up' || f.rating === 'down') this.on.rated(f.rating);
    } else if (f.type === 'handoff') {
      this.on.handoff(String(f.text ?? ''), String(f.at ?? ''));
    } else if (f.type === 'error') {
      const clientId = typeof f.clientId === 'string' ? f.clientId : undefined;
      if (clientId) this.outbox.delete(clientId);
      this.on.error({
        id: String(f.id),
        message: String(f.message ?? ''),
        ...(clientId ? { clientId } : {}),
      });
    }
  }

  private schedule(extra = 0): void {
    if (this.stopped || this.timer) return;
    const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** (this.attempt + extra));
    this.attempt++;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.connect();
      },
      base / 2 + Math.random() * (base / 2),
    );
  }

  private retryNow(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.connect();
  }
}
