// The hiring agent on the dashboard: its jobs (with the rubric editor and the career page's embed snippet), each
// job's ranked candidates, a candidate with the evidence highlighted in the redacted resume and the decisions people
// make, two candidates compared, and the fairness report. The agent JSON's `hiring` summary is read here only.
import './hiring.css';
import { Link } from '../../router.tsx';
import type { WebKind } from '../kind.ts';
import { CandidatePage } from './Candidate.tsx';
import { CandidatesPage } from './Candidates.tsx';
import { ComparePage } from './Compare.tsx';
import { FairnessPage } from './Fairness.tsx';
import { JobPage } from './Job.tsx';
import { JobsPage } from './Jobs.tsx';
import { HiringStats } from './Summary.tsx';
import { type HiringAgentView, pagePath } from './types.ts';

export const hiringKind: WebKind = {
  kind: 'hiring',
  label: 'Hiring',
  description: 'a career page; resumes screened and ranked, people decide',
  // It screens through its queue: a run started by hand would end at once.
  manualRuns: false,
  pages: [
    { path: 'jobs', title: 'Jobs', component: JobsPage },
    { path: 'job', title: 'Job', component: JobPage },
    { path: 'candidates', title: 'Candidates', component: CandidatesPage },
    { path: 'candidate', title: 'Candidate', component: CandidatePage },
    { path: 'compare', title: 'Compare candidates', component: ComparePage },
    { path: 'fairness', title: 'Fairness', component: FairnessPage },
  ],
  cardSummary: (agent) => {
    const summary = (agent as HiringAgentView).hiring;
    return summary ? <HiringStats summary={summary} title={agent.displayName} /> : null;
  },
  cardActions: (agent) => (
    <>
      <Link className="btn btn-sm" href={pagePath(agent.name, 'jobs')}>
        Jobs
      </Link>
      <a
        className="btn btn-sm"
        href={`/careers/${encodeURIComponent(agent.name)}`}
        target="_blank"
        rel="noreferrer"
      >
        Career page
      </a>
    </>
  ),
};
