// The receptionist on the dashboard: its calendar (book, move, cancel, confirm), its business (hours, rules,
// services, resources and their calendar feeds), its call log, its knowledge base (web/src/knowledge: the questions
// its profile cannot answer), what the knowledge base adds to the inbox, and its bookings on the overview card. The agent
// JSON's `receptionist` summary is read here only.
import './receptionist.css';
import { knowledgeInbox } from '../../knowledge/InboxExtras.tsx';
import { knowledgeBasePage } from '../../knowledge/KnowledgeBase.tsx';
import { Link } from '../../router.tsx';
import type { WebKind } from '../kind.ts';
import { BusinessPage } from './BusinessPage.tsx';
import { CalendarPage } from './Calendar.tsx';
import { CallsPage } from './Calls.tsx';
import { ReceptionistStats } from './Summary.tsx';
import type { ReceptionistAgentView } from './types.ts';

const PAGES = [
  { path: 'calendar', title: 'Calendar', component: CalendarPage },
  { path: 'business', title: 'Business', component: BusinessPage },
  { path: 'calls', title: 'Calls', component: CallsPage },
  { path: 'kb', title: 'Knowledge base', component: knowledgeBasePage() },
];

export const receptionistKind: WebKind = {
  kind: 'receptionist',
  label: 'Receptionist',
  description: 'bookings by chat and phone',
  pages: PAGES,
  cardSummary: (agent) => {
    const summary = (agent as ReceptionistAgentView).receptionist;
    return summary ? <ReceptionistStats summary={summary} title={agent.displayName} /> : null;
  },
  cardActions: (agent) => (
    <>
      {PAGES.map((p) => (
        <Link
          key={p.path}
          className="btn btn-sm"
          href={`/agents/${encodeURIComponent(agent.name)}/${p.path}`}
        >
          {p.title}
        </Link>
      ))}
    </>
  ),
  inbox: knowledgeInbox,
  manualRuns: false,
};
