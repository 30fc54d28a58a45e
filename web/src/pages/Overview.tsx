// Overview: every agent with its effective mode and why, its status and what waits for people, the outcomes of all
// agents' conversations (parts adding up to the whole) and any maintenance trap, the per-agent and global kill
// switches, and the New agent form.
import { useState } from 'react';
import { WEB_KINDS } from '../agents/registry.ts';
import { api } from '../api.ts';
import { AgentCard } from '../components/AgentCard.tsx';
import { NewAgentForm } from '../components/NewAgentForm.tsx';
import { OUTCOME_LABELS, OutcomesBlock, TrapBanner } from '../components/Outcomes.tsx';
import { ConfirmDialog, Empty, ErrorNote, Loading, PageHeader } from '../components/ui.tsx';
import { WeeklyCharts } from '../components/WeeklyCharts.tsx';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { useLive } from '../live.ts';
import { Link } from '../router.tsx';
import type { AgentView } from '../types.ts';

/** Every agent's last-30-day outcomes added together: each part, and the whole they add up to. */
function allOutcomes(agents: AgentView[]) {
  const total = { conversations: 0, resolvedByAi: 0, clawedBack: 0, escalated: 0, abandoned: 0, open: 0 };
  for (const a of agents) {
    const o = a.measurement?.outcomes;
    if (!o) continue;
    total.conversations += o.conversations;
    for (const { key } of OUTCOME_LABELS) total[key] += o[key];
  }
  return total;
}

export function OverviewPage() {
  const can = useCan();
  const { announce } = useSession();
  const agents = useResource(
    () => api.get<{ agents: AgentView[]; killSwitch: boolean }>('/api/agents'),
    'agents',
  );
  // Messages move a support agent's counts (conversations, answers) as well.
  useLive(['approval', 'escalation', 'message', 'run', 'agent', 'kill'], () => void agents.reload(), 500);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<AgentView | null>(null);
  const [killOpen, setKillOpen] = useState(false);
  const kill = useAction();
  const engaged = agents.data?.killSwitch ?? false;

  return (
    <>
      <PageHeader
        title="Agents"
        subtitle="What each agent may do right now, and why."
        actions={
          can('agents.write') ? (
            <button
              type="button"
              className="btn btn-primary"
              aria-expanded={creating}
              aria-controls="new-agent"
              onClick={() => {
                setCreating((v) => !v);
                setCreated(null);
              }}
            >
              {creating ? 'Close form' : 'New agent'}
            </button>
          ) : null
        }
      />

      {creating ? (
        <NewAgentForm
          onCancel={() => setCreating(false)}
          onCreated={(agent) => {
            setCreating(false);
            setCreated(agent);
            announce(`Agent ${agent.name} created`);
            void agents.reload();
          }}
        />
      ) : null}
      {created ? (
        <div className="note note-success" role="status">
          Agent <strong>{created.displayName}</strong> created. It runs in <strong>shadow</strong> mode until
          its readiness is assessed.{' '}
          <Link href={`/agents/${created.name}/readiness`}>Answer the readiness questions</Link>
        </div>
      ) : null}

      <section className={`killswitch${engaged ? ' killswitch-on' : ''}`} aria-labelledby="kill-title">
        <div>
          <h2 id="kill-title">Global kill switch</h2>
          <p>
            {engaged
              ? 'Engaged. Every agent stops at its next step; their conversations go to humans.'
              : 'Released. Agents run within their readiness mode.'}
          </p>
        </div>
        {can('agents.kill') ? (
          <button
            type="button"
            className={`btn ${engaged ? 'btn-primary' : 'btn-danger'}`}
            onClick={() => setKillOpen(true)}
            disabled={!agents.data}
          >
            {engaged ? 'Release kill switch' : 'Engage kill switch'}
          </button>
        ) : null}
      </section>
      <ConfirmDialog
        open={killOpen}
        title={engaged ? 'Release the global kill switch?' : 'Engage the global kill switch?'}
        confirmLabel={engaged ? 'Release' : 'Engage kill switch'}
        tone={engaged ? 'primary' : 'danger'}
        reason="optional"
        busy={kill.busy}
        error={kill.error}
        onCancel={() => {
          setKillOpen(false);
          kill.setError(null);
        }}
        onConfirm={async (reason) => {
          const ok = await kill.run(() => api.post('/api/kill-switch', { engaged: !engaged, reason }));
          if (ok) {
            setKillOpen(false);
            announce(engaged ? 'Global kill switch released' : 'Global kill switch engaged');
            await agents.reload();
          }
        }}
      >
        <p>
          {engaged
            ? 'Agents resume within their readiness mode. Paused agents stay paused.'
            : 'Every agent stops at its next step and its conversations route to humans, until you release it.'}
        </p>
      </ConfirmDialog>

      <ErrorNote error={agents.error} />
      {!agents.data && agents.loading ? <Loading /> : null}
      {agents.data && agents.data.agents.length === 0 ? (
        <Empty title="No agents yet">
          {can('agents.write') ? (
            <>
              <p>Create one with “New agent”. Start narrow: one task, one definition of done.</p>
              <DemoOffers onDone={() => void agents.reload()} />
            </>
          ) : (
            <p>An administrator can create the first agent.</p>
          )}
        </Empty>
      ) : null}
      {agents.data && agents.data.agents.length > 0 ? (
        <>
          {agents.data.agents.map((a) =>
            a.measurement?.trap ? (
              <TrapBanner
                key={a.id}
                agentName={a.name}
                displayName={a.displayName}
                trap={a.measurement.trap.figures}
              />
            ) : null,
          )}
          <div className="card overview-outcomes">
            <OutcomesBlock
              outcomes={allOutcomes(agents.data.agents)}
              title="All agents"
              heading="All agents, outcomes of the last 30 days"
            />
          </div>
        </>
      ) : null}
      {agents.data && agents.data.agents.length > 0 ? (
        <ul className="agent-grid" aria-label="Agents">
          {agents.data.agents.map((a) => (
            <li key={a.id}>
              <AgentCard agent={a} killSwitch={engaged} onChanged={() => void agents.reload()} />
            </li>
          ))}
        </ul>
      ) : null}
      {agents.data && agents.data.agents.length > 0 ? <WeeklyCharts /> : null}
    </>
  );
}

/** The kinds' ready-made examples (a wing's `demo`): one click, or the command that does the same. */
function DemoOffers({ onDone }: { onDone: () => void }) {
  const { announce } = useSession();
  const { busy, error, run } = useAction();
  const demos = WEB_KINDS.flatMap((k) => (k.demo ? [k.demo] : []));
  if (demos.length === 0) return null;
  return (
    <div className="demo-offers">
      <p>Or look around with an example first:</p>
      {demos.map((d) => (
        <div key={d.path} className="card card-tight demo-offer">
          <p>{d.description}</p>
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={async () => {
              const ok = await run(() => api.post<{ agent: { name: string } }>(d.path, {}));
              if (ok) {
                announce(`Demo agent ${ok.agent.name} is ready`);
                onDone();
              }
            }}
          >
            {busy ? 'Setting up… (about a minute)' : d.label}
          </button>
          <p className="hint">
            Or in a terminal: <code>{d.command}</code> (with a PGlite data folder, while Twelve is stopped).
          </p>
        </div>
      ))}
      <ErrorNote error={error} />
    </div>
  );
}
