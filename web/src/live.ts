// Live updates: one Server-Sent Events stream (/api/events) shared by every page. When the stream fails (not
// offered, a proxy that buffers, the server restarting) the feed falls back to polling: subscribers get a
// `poll` event every 5 s and refetch, and the stream is retried every 30 s.
import { useEffect, useRef, useSyncExternalStore } from 'react';

export interface LiveEvent {
  type: string;
  data: Record<string, unknown>;
}

export type LiveMode = 'off' | 'connecting' | 'live' | 'polling';

/**
 * Event names the server sends (the runtime's notify calls, src/server/routes/events.ts frames each with an
 * `event:` line). A name missing here is caught up by the next resync or poll, never lost for good.
 */
const EVENT_TYPES = [
  'approval.requested',
  'approval.decided',
  'approval.expired',
  'escalation.opened',
  'escalation.claimed',
  'escalation.resolved',
  'message.received',
  'message.sent',
  'spend.cap_reached',
  'run.updated',
  'agent.updated',
  'kb.changed',
  'bus.resync',
];

export const POLL_MS = 5_000;
const RETRY_STREAM_MS = 30_000;

type Listener = (e: LiveEvent) => void;

class LiveFeed {
  private listeners = new Set<Listener>();
  private modeListeners = new Set<() => void>();
  private source: EventSource | null = null;
  private pollTimer: number | null = null;
  private retryTimer: number | null = null;
  mode: LiveMode = 'off';

  start(): void {
    if (this.mode !== 'off') return;
    this.connect();
  }

  stop(): void {
    this.source?.close();
    this.source = null;
    if (this.pollTimer !== null) window.clearInterval(this.pollTimer);
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.pollTimer = this.retryTimer = null;
    this.setMode('off');
  }

  private connect(): void {
    if (typeof EventSource === 'undefined') {
      this.fallBack();
      return;
    }
    this.setMode(this.mode === 'polling' ? 'polling' : 'connecting');
    const source = new EventSource('/api/events', { withCredentials: true });
    this.source = source;
    source.onopen = () => {
      if (this.pollTimer !== null) window.clearInterval(this.pollTimer);
      this.pollTimer = null;
      this.setMode('live');
      // Whatever happened while we were not listening: let pages refetch once.
      this.emit({ type: 'resync', data: {} });
    };
    const onEvent = (e: MessageEvent) => {
      let data: Record<string, unknown> = {};
      try {
        data = JSON.parse(String(e.data)) as Record<string, unknown>;
      } catch {
        data = {};
      }
      const type = e.type === 'message' && typeof data.type === 'string' ? data.type : e.type;
      this.emit({ type, data });
    };
    source.onmessage = onEvent;
    for (const t of EVENT_TYPES) source.addEventListener(t, onEvent);
    source.onerror = () => {
      // EventSource retries by itself on network errors, but not on a 404 or a wrong content type; either
      // way we poll until the stream is back, so nothing is missed.
      source.close();
      if (this.source === source) this.source = null;
      this.fallBack();
    };
  }

  private fallBack(): void {
    if (this.pollTimer === null) {
      this.pollTimer = window.setInterval(() => this.emit({ type: 'poll', data: {} }), POLL_MS);
    }
    this.setMode('polling');
    if (this.retryTimer === null && typeof EventSource !== 'undefined') {
      this.retryTimer = window.setTimeout(() => {
        this.retryTimer = null;
        if (this.mode !== 'off') this.connect();
      }, RETRY_STREAM_MS);
    }
  }

  private emit(e: LiveEvent): void {
    for (const l of this.listeners) l(e);
  }

  private setMode(mode: LiveMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    for (const l of this.modeListeners) l();
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  subscribeMode = (l: () => void): (() => void) => {
    this.modeListeners.add(l);
    return () => this.modeListeners.delete(l);
  };
}

export const liveFeed = new LiveFeed();

export function useLiveMode(): LiveMode {
  return useSyncExternalStore(liveFeed.subscribeMode, () => liveFeed.mode);
}

/**
 * Calls `onChange` (debounced) when an event whose type starts with one of `prefixes` arrives, and on every
 * poll tick or resync. Pages pass their refetch function.
 */
export function useLive(prefixes: readonly string[], onChange: (e: LiveEvent) => void, delayMs = 250): void {
  const cb = useRef(onChange);
  useEffect(() => {
    cb.current = onChange;
  });
  const key = prefixes.join('|');
  useEffect(() => {
    const wanted = key.split('|');
    let timer: number | null = null;
    let last: LiveEvent | null = null;
    const off = liveFeed.subscribe((e) => {
      const always = e.type === 'poll' || e.type === 'resync' || e.type === 'bus.resync';
      if (!always && !wanted.some((p) => e.type.startsWith(p))) return;
      last = e;
      if (timer !== null) return;
      timer = window.setTimeout(() => {
        timer = null;
        if (last) cb.current(last);
      }, delayMs);
    });
    return () => {
      off();
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [key, delayMs]);
}
