// What the dashboard knows about one agent kind: its name in the new-agent form, its pages, what its agents add
// to their overview card and to the inbox. The shell (router, App, AgentCard, NewAgentForm, Inbox) asks the
// registry (registry.ts) for these and names no kind; everything a kind alone shows lives in its wing,
// web/src/agents/<kind>/.
import type { ComponentType, ReactNode } from 'react';
import type { Permission } from '../../../src/server/permissions.ts';
import type { AgentView, MessageView } from '../types.ts';

/** A page of one agent, at /agents/:agent/<path>. */
export interface KindPage {
  /** The last segment of the URL, e.g. 'kb'. */
  path: string;
  /** The document title, e.g. 'Knowledge base'. */
  title: string;
  component: ComponentType<{ agentName: string }>;
}

/** What an escalation of this kind's agents offers besides claim, reply and resolve. */
export interface InboxExtras {
  /** Whether the signed-in person gets the extras at all (e.g. the permission they write with). */
  allowed: (can: (permission: Permission) => boolean) => boolean;
  /** Shown under a transcript message (`messages[index]`); renders nothing where it has nothing to offer. */
  MessageAction: ComponentType<{ agentName: string; messages: MessageView[]; index: number }>;
  /** Shown between the reply form and the resolve form. */
  Panel: ComponentType<{ escalationId: string; agentName: string; messages: MessageView[] }>;
}

export interface WebKind {
  /** As the API spells it (agents.kind). */
  kind: string;
  /** The kind's name in the new-agent form. */
  label: string;
  /** What its agents do, beside the label in the new-agent form. */
  description?: string;
  /** Its agents' own pages (the router matches them, App renders them). */
  pages?: KindPage[];
  /** A block on the agent's overview card, under the work waiting. */
  cardSummary?: (agent: AgentView) => ReactNode;
  /** Links among the agent card's actions, after Readiness. */
  cardActions?: (agent: AgentView) => ReactNode;
  inbox?: InboxExtras;
  /**
   * False when starting a run by hand means nothing for its agents (they answer conversations): the card then offers
   * no "Run now". Default true.
   */
  manualRuns?: boolean;
  /** A ready-made example the empty overview offers: a button (POST `path`) and the CLI command doing the same. */
  demo?: { label: string; description: string; path: string; command: string };
}
