// The support agent on the dashboard: its knowledge-base page (web/src/knowledge: FAQ, articles, questions that go to
// a person, the engine's health; with its own hand-off message and business hours, evaluations), its last 30 days on
// the overview card, and what the knowledge base adds to the inbox. The agent JSON's `support` summary is read here only.

import { knowledgeInbox } from '../../knowledge/InboxExtras.tsx';
import { knowledgeBasePage } from '../../knowledge/KnowledgeBase.tsx';
import { Link } from '../../router.tsx';
import type { WebKind } from '../kind.ts';
import { EvaluationSection } from './EvaluationSection.tsx';
import { HandoffSection } from './HandoffSection.tsx';
import { SupportStats } from './SupportStats.tsx';
import type { SupportAgentView } from './types.ts';

const KB_PAGE = 'kb';
const SUPPORT = 'support';

/**
 * The support agent's own sections on its knowledge-base page: the hand-off message, then its evaluation. The page
 * at /agents/:agent/kb is one for every kind with a knowledge base (the router picks it by path), so these show only
 * when the agent is a support agent.
 */
const KnowledgeBasePage = knowledgeBasePage(({ agent, agentPath, onAgentChanged }) =>
  agent.kind === SUPPORT ? (
    <>
      <HandoffSection agent={agent} onAgentChanged={onAgentChanged} />
      <EvaluationSection
        agentPath={agentPath}
        agentThreshold={agent.confidenceThreshold}
        onAgentChanged={onAgentChanged}
      />
    </>
  ) : null,
);

export const supportKind: WebKind = {
  kind: SUPPORT,
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
  inbox: knowledgeInbox,
  manualRuns: false,
  demo: {
    label: 'Set up the support demo',
    description:
      'Northwind Cycles, a bike shop: a support agent with a 12-entry FAQ and two articles, measured on its test set, ready to answer on the demo chat page.',
    path: '/api/demo/support',
    command: 'npx twelve demo support',
  },
};
