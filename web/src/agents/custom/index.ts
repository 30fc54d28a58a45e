// The custom agent on the dashboard: the demo toolbox kind (src/agents/custom), one tool per risk class, driven by
// a scripted brain. It has no pages of its own and adds nothing to the card or the inbox.
import type { WebKind } from '../kind.ts';

export const customKind: WebKind = { kind: 'custom', label: 'Custom' };
