// One agent's measurement (src/metrics/, README "Measurement"): per month, the outcomes of its conversations (adding
// up), human time, hours saved and net hours, every cost line, cost per conversation and the saving; inline-SVG
// charts of net hours and of cost per conversation over the months; the maintenance trap banner; the CSV export;
// and a form to log time spent outside Twelve.
import { useState } from 'react';
import type { AgentMetrics } from '../../../src/metrics/measurement.ts';
import type { MeasurementReport } from '../../../src/metrics/report.ts';
import { api } from '../api.ts';
import { OutcomesBlock, TrapBanner } from '../components/Outcomes.tsx';
import { ErrorNote, Field, Loading, PageHeader } from '../components/ui.tsx';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { Link } from '../router.tsx';
import type { AgentView } from '../types.ts';

const MONTHS_SHOWN = 6;

const usd = (cents: number | null) =>
  cents === null ? '—' : `${cents < 0 ? '−' : ''}$${(Math.abs(Math.round(cents)) / 100).toFixed(2)}`;
const hours = (h: number) => `${h} h`;
const minutes = (m: number) => `${m} min`;

/** The first day of the month `back` months before now's (UTC), as YYYY-MM-DD. */
function monthStart(back: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 10);
}

export function MeasurementPage({ agentName }: { agentName: string }) {
  const path = `/api/agents/${encodeURIComponent(agentName)}`;
  const query = `from=${monthStart(MONTHS_SHOWN - 1)}`;
  const agent = useResource(() => api.get<AgentView>(path), path);
  const report = useResource(() => api.get<MeasurementReport>(`${path}/metrics?${query}`), `${path}/metrics`);
  const [picked, setPicked] = useState<string | null>(null);
  const name = agent.data?.displayName ?? agentName;
  const months = report.data?.months ?? [];
  const month = months.find((m) => m.range.from.slice(0, 7) === picked) ?? months[months.length - 1];
  const trap = report.data?.trap;

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link href="/">Overview</Link> <span aria-hidden="true">/</span> <span>{name}</span>
          </>
        }
        title={`Measurement of ${name}`}
        subtitle="Hours saved minus hours spent keeping the agent running, and what a conversation costs."
        actions={
          <a className="btn btn-sm" href={`${path}/metrics/csv?${query}`} download>
            Download CSV
          </a>
        }
      />
      <ErrorNote error={agent.error ?? report.error} />
      {!report.data && report.loading ? <Loading /> : null}
      {trap?.evaluation.trapped ? (
        <TrapBanner agentName={agentName} displayName={name} trap={trap.evaluation} link={false} />
      ) : trap?.evaluation.work === 0 ? (
        <p className="muted" data-trap-idle="">
          Not judged for the maintenance trap: {name} has had no conversation or other work in the last 30
          days, so there is nothing to weigh its upkeep against.
        </p>
      ) : null}
      {report.data && month ? (
        <>
          <nav className="month-picker" aria-label="Month">
            {months.map((m) => {
              const key = m.range.from.slice(0, 7);
              const current = m === month;
              return (
                <button
                  key={key}
                  type="button"
                  className={`btn btn-sm${current ? ' btn-primary' : ''}`}
                  aria-pressed={current}
                  onClick={() => setPicked(key)}
                >
                  {key}
                </button>
              );
            })}
          </nav>
          <div className="card measurement-card">
            <OutcomesBlock
              outcomes={month.outcomes}
              title={name}
              heading={`Outcomes, ${month.range.from.slice(0, 7)}`}
            />
            <Figures m={month} />
          </div>
          <section className="card measurement-card" aria-labelledby="charts-title">
            <h2 id="charts-title">Over the months</h2>
            <NetHoursChart months={months} />
            <CostChart months={months} />
          </section>
        </>
      ) : null}
      <WorkLogForm path={path} onLogged={() => void report.reload()} />
    </>
  );
}

function Figures({ m }: { m: AgentMetrics }) {
  const h = m.humanMinutes;
  const c = m.costs;
  const rows: [string, string, string][] = [
    ['Conversations', String(m.outcomes.conversations), 'started in the month, one outcome each'],
    ...m.kindOutcomes.map((k): [string, string, string] => [
      k.label,
      String(k.count),
      `${k.minutesEach} min each: ${k.source}`,
    ]),
    [
      'Human time',
      minutes(h.total),
      `hand-offs ${h.handoffs}, reviews ${h.reviews}, checkpoints ${h.checkpoints}, approvals ${h.approvals}, editing ${h.editing} (${h.editingSessions} sessions), logged ${h.logged}`,
    ],
    ['Minutes per task', String(m.settings.minutesPerTask), m.settings.minutesPerTaskSource],
    ['Hourly rate', usd(m.settings.hourlyRateCents), m.settings.hourlyRateSource],
    ['Hours saved', hours(m.hours.saved), 'resolved by AI × minutes per task, plus the kind’s outcomes'],
    ['Maintenance', hours(m.hours.maintenance), 'human time except hand-offs'],
    ['Net hours', hours(m.hours.net), 'hours saved − maintenance'],
    ['Model tokens', usd(c.tokensCents), 'the spend ledger, priced when called'],
    ['Paid tools', usd(c.toolsCents), 'the spend ledger'],
    ['Voice', usd(c.voiceCents), `${c.voiceCalls} calls, ${c.voiceMinutes} min, Vapi’s end-of-call cost`],
    [
      'Paid messages',
      c.paidMessagesRecorded ? usd(c.paidMessagesCents) : 'not recorded',
      'WhatsApp template sends are not priced yet',
    ],
    ['AI cost per conversation', usd(m.perConversation.aiCostCents), 'every cost line ÷ conversations'],
    [
      'Human cost per escalated conversation',
      usd(m.perConversation.humanCostCents),
      `hourly rate × ${m.perConversation.humanMinutes ?? '—'} min measured per escalated conversation`,
    ],
    ['Saving', usd(m.savingCents), 'net hours × hourly rate − AI cost'],
  ];
  return (
    <table className="figures" aria-label="Figures of the month">
      <thead>
        <tr>
          <th className="cell" scope="col">
            Figure
          </th>
          <th className="cell" scope="col">
            Value
          </th>
          <th className="cell" scope="col">
            Rule
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, value, rule]) => (
          <tr key={label}>
            <th className="cell" scope="row">
              {label}
            </th>
            <td className="cell num" data-figure={label}>
              {value}
            </td>
            <td className="cell rule">{rule}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const W = 600;
const H = 160;
const PAD = 28;

/** Bars of net hours per month around a zero line: green above, red below. */
function NetHoursChart({ months }: { months: AgentMetrics[] }) {
  const values = months.map((m) => m.hours.net);
  const max = Math.max(1, ...values.map(Math.abs));
  const zero = H / 2;
  const step = (W - PAD * 2) / Math.max(1, months.length);
  return (
    <figure>
      <figcaption>Net hours per month</figcaption>
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H + 20}`}
        role="img"
        aria-label={`Net hours per month: ${months.map((m) => `${m.range.from.slice(0, 7)} ${m.hours.net} h`).join(', ')}`}
      >
        <line className="axis" x1={PAD} x2={W - PAD} y1={zero} y2={zero} />
        {months.map((m, i) => {
          const v = m.hours.net;
          const h = (Math.abs(v) / max) * (H / 2 - 12);
          const x = PAD + i * step + step * 0.2;
          return (
            <g key={m.range.from} data-month={m.range.from.slice(0, 7)}>
              <rect
                className={v < 0 ? 'neg' : 'pos'}
                x={x}
                y={v < 0 ? zero : zero - h}
                width={step * 0.6}
                height={h}
              />
              <text x={x + step * 0.3} y={v < 0 ? zero + h + 10 : zero - h - 3} textAnchor="middle">
                {v}
              </text>
              <text x={x + step * 0.3} y={H + 14} textAnchor="middle">
                {m.range.from.slice(0, 7)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** AI cost per conversation beside the human cost per escalated conversation, per month. */
function CostChart({ months }: { months: AgentMetrics[] }) {
  const ai = months.map((m) => m.perConversation.aiCostCents ?? 0);
  const human = months.map((m) => m.perConversation.humanCostCents ?? 0);
  const max = Math.max(1, ...ai, ...human);
  const step = (W - PAD * 2) / Math.max(1, months.length);
  const base = H - 4;
  return (
    <figure>
      <figcaption>
        Cost per conversation: <span className="dot dot-ai" aria-hidden="true" /> AI,{' '}
        <span className="dot dot-escalated" aria-hidden="true" /> human (escalated)
      </figcaption>
      <svg
        className="chart"
        viewBox={`0 0 ${W} ${H + 20}`}
        role="img"
        aria-label={`Cost per conversation per month: ${months
          .map(
            (m) =>
              `${m.range.from.slice(0, 7)} AI ${usd(m.perConversation.aiCostCents)}, human ${usd(m.perConversation.humanCostCents)}`,
          )
          .join('; ')}`}
      >
        <line className="axis" x1={PAD} x2={W - PAD} y1={base} y2={base} />
        {months.map((m, i) => {
          const x = PAD + i * step + step * 0.15;
          const w = step * 0.33;
          const ha = (ai[i]! / max) * (H - 24);
          const hh = (human[i]! / max) * (H - 24);
          return (
            <g key={m.range.from}>
              <rect className="ai" x={x} y={base - ha} width={w} height={ha} />
              <rect className="human" x={x + w + 2} y={base - hh} width={w} height={hh} />
              <text x={x + w} y={H + 14} textAnchor="middle">
                {m.range.from.slice(0, 7)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function WorkLogForm({ path, onLogged }: { path: string; onLogged: () => void }) {
  const can = useCan();
  const { announce } = useSession();
  const [mins, setMins] = useState('');
  const [date, setDate] = useState(() => new Date().toISOString().slice(0, 10));
  const [note, setNote] = useState('');
  const log = useAction();
  if (!can('worklog.write')) return null;
  return (
    <section className="card measurement-card" aria-labelledby="worklog-title">
      <h2 id="worklog-title">Log time spent outside Twelve</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await log.run(() => api.post(`${path}/work-log`, { minutes: Number(mins), date, note }));
          if (ok) {
            announce(`Logged ${mins} minutes`);
            setMins('');
            setNote('');
            onLogged();
          }
        }}
      >
        <Field label="Minutes">
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              max={1440}
              required
              value={mins}
              onChange={(e) => setMins(e.target.value)}
            />
          )}
        </Field>
        <Field label="Day">
          {(p) => (
            <input {...p} type="date" required value={date} onChange={(e) => setDate(e.target.value)} />
          )}
        </Field>
        <Field label="What it was">
          {(p) => (
            <input
              {...p}
              type="text"
              maxLength={1000}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          )}
        </Field>
        <ErrorNote error={log.error} />
        <button type="submit" className="btn btn-primary btn-sm" disabled={log.busy}>
          Log time
        </button>
      </form>
    </section>
  );
}
