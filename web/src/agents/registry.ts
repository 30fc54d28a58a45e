// The agent kinds the dashboard knows, in the new-agent form's order (the first is its default). The router, App,
// AgentCard, NewAgentForm and Inbox ask here; a kind's own pages and blocks live in its wing (agents/<kind>/).
import { customKind } from './custom/index.ts';
import { hiringKind } from './hiring/index.tsx';
import type { KindPage, WebKind } from './kind.ts';
import { receptionistKind } from './receptionist/index.tsx';
import { supportKind } from './support/index.tsx';

/** The dashboard's side of the server's registry (src/agents/registry.ts): one wing per kind. */
export const WEB_KINDS: readonly WebKind[] = [supportKind, receptionistKind, hiringKind, customKind];

const byKind = new Map(WEB_KINDS.map((k) => [k.kind, k]));

/** The dashboard's module for an agent's kind; undefined for a kind it does not know (a newer server's). */
export function kindOf(kind: string): WebKind | undefined {
  return byKind.get(kind);
}

/** The kind page at /agents/:agent/<path>, whichever kind declares it. */
export function kindPage(path: string): KindPage | undefined {
  for (const k of WEB_KINDS) {
    const page = k.pages?.find((p) => p.path === path);
    if (page) return page;
  }
  return undefined;
}
