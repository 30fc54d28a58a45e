// The widget's DOM, inside a shadow root: a launcher button and a non-modal chat dialog with a live log. Every
// piece of text from the customer, the agent or a person is set with textContent, never parsed as HTML.
import { type ChatEvents, Connection, type Status, storageKey, type WireMessage } from './connection.ts';
import { el, icon } from './dom.ts';
import { WIDGET_CSS } from './styles.ts';

export interface WidgetOptions {
  agent: string;
  socketUrl: string;
  title?: string;
  accent?: string;
}

const CHAT_ICON = 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z';
const SEND_ICON = 'M3 20.5 21 12 3 3.5 3 10l12 2-12 2z';
const DOWN_ICON = 'M7.4 8.6 12 13.2l4.6-4.6L18 10l-6 6-6-6z';
const TYPING_TIMEOUT_MS = 20_000;

export class ChatWidget {
  private readonly root: ShadowRoot;
  private readonly box = el('div', { class: 'tw' });
  private readonly launcher = el('button', {
    class: 'launcher',
    type: 'button',
    'aria-expanded': 'false',
    'aria-controls': 'tw-panel',
    'aria-haspopup': 'dialog',
  });
  private readonly badge = el('span', { class: 'badge', hidden: '' });
  private readonly chatIcon = icon(CHAT_ICON);
  private readonly downIcon = icon(DOWN_ICON);
  private readonly panel = el('section', { class: 'panel', id: 'tw-panel', role: 'dialog', hidden: '' });
  private readonly heading = el('h2', { id: 'tw-title' });
  private readonly log = el('div', {
    class: 'log',
    role: 'log',
    'aria-live': 'polite',
    'aria-labelledby': 'tw-title',
  });
  private readonly status = el('p', { class: 'status', role: 'status' });
  private readonly humanBtn = el('button', { class: 'human-btn', type: 'button' }, 'Talk to a person');
  /** "Was this helpful?" once someone has answered: stored per conversation (the team sees it per agent). */
  private readonly rateBox = el('div', {
    class: 'rate',
    role: 'group',
    'aria-label': 'Was this helpful?',
    hidden: '',
  });
  private readonly rateText = el('span', {}, 'Was this helpful?');
  private readonly rateUp = el(
    'button',
    { class: 'rate-btn', type: 'button', 'aria-pressed': 'false' },
    'Yes',
  );
  private readonly rateDown = el(
    'button',
    { class: 'rate-btn', type: 'button', 'aria-pressed': 'false' },
    'No',
  );
  private readonly input = el('textarea', {
    id: 'tw-input',
    rows: '1',
    maxlength: '4000',
    placeholder: 'Type your question…',
    autocomplete: 'off',
  });
  private readonly conn: Connection;
  private readonly pending = new Map<string, HTMLElement>();
  private typing: HTMLElement | null = null;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private unread = 0;
  private title: string;
  private readonly openKey: string;

  constructor(private readonly opts: WidgetOptions) {
    this.title = opts.title ?? 'Chat with us';
    this.openKey = `${storageKey(opts.agent)}:open`;
    const host = el('div', { 'data-twelve-chat': opts.agent });
    if (opts.accent) host.style.setProperty('--tw-accent', opts.accent);
    this.root = host.attachShadow({ mode: 'open' });
    this.applyStyles();
    this.build();
    document.body.append(host);
    this.conn = new Connection(opts.socketUrl, storageKey(opts.agent), this.events());
    // A returning visitor reconnects at once, so a person's reply shows up even before the panel is opened.
    if (Connection.hasSaved(opts.agent)) this.conn.connect();
    if (this.session('get') === '1') this.open(false);
  }

  private applyStyles(): void {
    // A constructed stylesheet is not inline style, so it works on pages whose CSP forbids 'unsafe-inline'.
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(WIDGET_CSS);
      this.root.adoptedStyleSheets = [sheet];
    } catch {
      this.root.append(el('style', {}, WIDGET_CSS));
    }
  }

  private build(): void {
    this.launcher.append(this.chatIcon, this.downIcon, this.badge);
    this.launcher.addEventListener('click', () => (this.panel.hidden ? this.open(true) : this.close()));
    const close = el('button', { class: 'close', type: 'button', 'aria-label': 'Close chat' }, '×');
    close.addEventListener('click', () => this.close());
    const sub = el('p', {}, 'Instant answers · a person can take over');
    const head = el('div', { class: 'head' }, el('div', {}, this.heading, sub), close);
    this.humanBtn.addEventListener('click', () => this.conn.askForHuman());
    const send = el('button', { class: 'send', type: 'submit', 'aria-label': 'Send' }, icon(SEND_ICON));
    const label = el('label', { for: 'tw-input', class: 'sr' }, 'Your message');
    const form = el('form', {}, label, this.input, send);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener('input', () => this.grow());
    this.panel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.close();
      }
    });
    this.rateUp.addEventListener('click', () => this.conn.rate('up'));
    this.rateDown.addEventListener('click', () => this.conn.rate('down'));
    this.rateBox.append(this.rateText, this.rateUp, this.rateDown);
    this.panel.append(
      head,
      this.log,
      this.status,
      el('div', { class: 'bar' }, this.rateBox, this.humanBtn),
      form,
    );
    this.box.append(this.panel, this.launcher);
    this.root.append(this.box);
    this.setTitle(this.title);
  }

  private setTitle(title: string): void {
    this.title = title;
    this.heading.textContent = title;
    this.panel.setAttribute('aria-label', title);
    this.updateLauncher();
  }

  private updateLauncher(): void {
    const opened = !this.panel.hidden;
    const unread = this.unread ? ` (${this.unread} new)` : '';
    this.launcher.setAttribute('aria-label', `${opened ? 'Close' : 'Open'} chat: ${this.title}${unread}`);
    this.launcher.setAttribute('aria-expanded', String(opened));
    this.chatIcon.toggleAttribute('hidden', opened);
    this.downIcon.toggleAttribute('hidden', !opened);
    this.badge.hidden = !this.unread;
    this.badge.textContent = this.unread ? String(this.unread) : '';
  }

  private session(op: 'get' | 'set' | 'del'): string | null {
    try {
      if (op === 'get') return sessionStorage.getItem(this.openKey);
      if (op === 'set') sessionStorage.setItem(this.openKey, '1');
      else sessionStorage.removeItem(this.openKey);
    } catch {}
    return null;
  }

  open(focus: boolean): void {
    this.panel.hidden = false;
    this.box.classList.add('open');
    this.unread = 0;
    this.updateLauncher();
    this.session('set');
    if (!this.conn.started) this.conn.connect();
    this.scroll();
    if (focus) this.input.focus();
  }

  close(): void {
    this.panel.hidden = true;
    this.box.classList.remove('open');
    this.updateLauncher();
    this.session('del');
    this.launcher.focus();
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = '';
    this.grow();
    const clientId = this.conn.send(text);
    this.pending.set(clientId, this.add(this.bubble('customer', text, [], 'pending')));
    if (!this.humanBtn.hidden) this.showTyping();
  }

  private grow(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 120)}px`;
  }

  private events(): ChatEvents {
    return {
      welcome: (w, unsent) => {
        if (!this.opts.title && w.agent.displayName) this.setTitle(w.agent.displayName);
        this.hideTyping();
        this.log.replaceChildren();
        this.pending.clear();
        this.humanBtn.hidden = false;
        if (!w.messages.length && !unsent.length)
          this.note('Hi! Ask us anything about the shop. You can ask for a person at any time.');
        for (const m of w.messages) this.add(this.render(m));
        for (const u of unsent)
          this.pending.set(u.clientId, this.add(this.bubble('customer', u.text, [], 'pending')));
        this.scroll();
      },
      message: (m) => {
        const mine = m.clientId ? this.pending.get(m.clientId) : undefined;
        const shown = this.log.querySelector(`[data-id="${CSS.escape(m.id)}"]`);
        if (mine) {
          this.pending.delete(m.clientId!);
          // Shown already (a resync listed it before its confirmation came): drop the pending copy.
          if (shown) mine.remove();
          else mine.replaceWith(this.render(m));
          return;
        }
        if (shown) return;
        if (m.author !== 'customer') this.hideTyping();
        this.add(this.render(m));
        if (m.author !== 'customer' && this.panel.hidden) {
          this.unread++;
          this.updateLauncher();
        }
      },
      rated: (rating) => {
        this.rateUp.setAttribute('aria-pressed', String(rating === 'up'));
        this.rateDown.setAttribute('aria-pressed', String(rating === 'down'));
        this.rateText.textContent = 'Thanks for telling us.';
      },
      handoff: (text, at) => {
        this.hideTyping();
        this.humanBtn.hidden = true;
        this.note(text, 'handoff', at);
      },
      error: (e) => {
        this.hideTyping();
        const mine = e.clientId ? this.pending.get(e.clientId) : undefined;
        if (mine) {
          this.pending.delete(e.clientId!);
          mine.classList.replace('pending', 'failed');
          mine.append(el('span', { class: 'meta' }, `Not sent: ${e.message}`));
        } else this.note(e.message);
      },
      status: (s: Status) => {
        this.status.textContent =
          s === 'offline'
            ? 'Connection lost. Reconnecting…'
            : s === 'unavailable'
              ? 'This chat is not available right now.'
              : '';
        if (s === 'unavailable') this.hideTyping();
      },
    };
  }

  private render(m: WireMessage): HTMLElement {
    const node = this.bubble(
      m.author,
      m.text,
      m.sources.map((s) => s.title),
    );
    node.dataset.id = m.id;
    node.dataset.at = m.at;
    if (m.author !== 'customer') this.rateBox.hidden = false;
    return node;
  }

  private bubble(author: WireMessage['author'], text: string, sources: string[], state = ''): HTMLElement {
    const who = author === 'customer' ? 'You' : author === 'human' ? 'Team member' : 'Assistant';
    const node = el('div', { class: `msg ${author} ${state}`.trim() });
    node.append(
      author === 'human' ? el('span', { class: 'who' }, who) : el('span', { class: 'sr' }, `${who}:`),
      el('div', { class: 'bubble' }, text),
    );
    if (sources.length) node.append(el('span', { class: 'meta' }, `Sources: ${sources.join(', ')}`));
    return node;
  }

  /** A notice from the chat itself; with a time, it goes before the messages that came after it. */
  private note(text: string, kind = '', at = ''): void {
    const node = el('div', { class: `note ${kind}`.trim() }, text);
    const later = at
      ? [...this.log.querySelectorAll<HTMLElement>('[data-at]')].find((m) => (m.dataset.at ?? '') > at)
      : undefined;
    if (later) {
      later.before(node);
      this.scroll();
    } else this.add(node);
  }

  private add(node: HTMLElement): HTMLElement {
    if (this.typing?.isConnected) this.log.insertBefore(node, this.typing);
    else this.log.append(node);
    this.scroll();
    return node;
  }

  private showTyping(): void {
    this.hideTyping();
    this.typing = el('div', { class: 'typing', 'aria-hidden': 'true' }, el('i'), el('i'), el('i'));
    this.log.append(this.typing);
    this.scroll();
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_TIMEOUT_MS);
  }

  private hideTyping(): void {
    clearTimeout(this.typingTimer);
    this.typing?.remove();
    this.typing = null;
  }

  private scroll(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
