// Entry of /widget.js: `<script src="https://twelve.example/widget.js" data-agent="northwind" async></script>`.
// Reads its settings from its own script tag (data-agent, optional data-title and data-accent), talks to the
// server the script came from, and mounts once per agent however often the tag is included.
import { ChatWidget } from './ui.ts';

declare global {
  interface Window {
    __twelveChat?: Record<string, ChatWidget>;
  }
}

const AGENT = /^[a-z0-9][a-z0-9-]{0,62}$/;
// Only a plain colour reaches the stylesheet: anything else could smuggle CSS.
const COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.agent) return current;
  return document.querySelector<HTMLScriptElement>('script[data-agent][src*="widget.js"]');
}

function start(script: HTMLScriptElement): void {
  const agent = script.dataset.agent ?? '';
  if (!AGENT.test(agent)) {
    console.warn('[twelve] data-agent must be an agent name, e.g. data-agent="northwind"');
    return;
  }
  window.__twelveChat ??= {};
  if (window.__twelveChat[agent]) return;
  const origin = new URL(script.src, location.href);
  const ws = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}/api/webchat/${agent}/socket`;
  const accent = script.dataset.accent;
  window.__twelveChat[agent] = new ChatWidget({
    agent,
    socketUrl: ws,
    ...(script.dataset.title ? { title: script.dataset.title.slice(0, 80) } : {}),
    ...(accent && COLOUR.test(accent) ? { accent } : {}),
  });
}

const script = ownScript();
if (script) {
  if (document.body) start(script);
  else document.addEventListener('DOMContentLoaded', () => start(script), { once: true });
}
