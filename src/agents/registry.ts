// The agent kinds of this install. The platform (app.ts, the server, the CLI, the jobs, the lifecycle, the channels)
// iterates this list; adding a kind is adding it here (see ARCHITECTURE.md, "Adding an agent kind").
import { customKind } from './custom/kind.ts';
import { hiringKind } from './hiring/kind.ts';
import type { AgentKind } from './kind.ts';
import { receptionistKind } from './receptionist/kind.ts';
import { supportKind } from './support/kind.ts';

export const AGENT_KINDS: readonly AgentKind[] = [supportKind, receptionistKind, hiringKind, customKind];

/** The kinds whose agents answer on a channel. */
export function kindsServing(channel: string, kinds: readonly AgentKind[] = AGENT_KINDS): string[] {
  return kinds.filter((k) => k.channels.some((c) => c === channel)).map((k) => k.kind);
}
