// The support agent on the dashboard: its knowledge-base page (FAQ, articles, questions that go to a person, the
// engine's health, the hand-off message and business hours, evaluations), its last 30 days on the overview card,
// and what it adds to the inbox. The agent JSON's `support` summary is read here only.
import { Link } from '../../router.tsx';
import type { WebKind } from '../kind.ts';
import { supportInbox } from './InboxExtras.tsx';
import { KnowledgeBasePage } from './KnowledgeBase.tsx';
import { SupportStats } from './SupportStats.tsx';
import type { SupportAgentView } from './types.ts';

const KB_PAGE = 'kb';

export const supportKind: WebKind = {
  kind: 'support',
  label: 'Support',
  description: 'tier-1 answers',
  pages: [{ path: KB_PAGE, title: 'Knowledge base', component: KnowledgeBasePage }],
  cardSummary: (agent) => {
    const summary = (agent as SupportAgentView).support;
    return summary ? <SupportStats summary={summary} title={agent.displayName} /> : null;
  },
  cardActions: (agent) => (
    <Link className="btn btn-sm" href={`/agents/${encodeURIComponent(agent.name)}/${KB_PAGE}`}>
      Knowledge base
    </Link>
  ),
  inbox: supportInbox,
};
