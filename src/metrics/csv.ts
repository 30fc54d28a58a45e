// The CSV export of measurement: one row per month (RFC 4180: comma-separated, CRLF line ends, a field quoted when it
// holds a comma, quote or line break). Money in dollars with cents, hours to two decimals; the columns are the
// figures of README.md's "Measurement" table.
import type { AgentMetrics } from './measurement.ts';

const COLUMNS: [string, (m: AgentMetrics) => string | number | null][] = [
  ['agent', (m) => m.agent.name],
  ['month', (m) => m.range.from.slice(0, 7)],
  ['from', (m) => m.range.from],
  ['to', (m) => m.range.to],
  ['conversations', (m) => m.outcomes.conversations],
  ['resolved_by_ai', (m) => m.outcomes.resolvedByAi],
  ['clawed_back', (m) => m.outcomes.clawedBack],
  ['escalated', (m) => m.outcomes.escalated],
  ['abandoned', (m) => m.outcomes.abandoned],
  ['open', (m) => m.outcomes.open],
  ['kind_outcomes', (m) => m.kindOutcomes.map((o) => `${o.name}=${o.count}`).join(' ')],
  ['minutes_per_task', (m) => m.settings.minutesPerTask],
  ['hourly_rate_usd', (m) => dollars(m.settings.hourlyRateCents)],
  ['human_minutes_handoffs', (m) => m.humanMinutes.handoffs],
  ['human_minutes_reviews', (m) => m.humanMinutes.reviews],
  ['human_minutes_checkpoints', (m) => m.humanMinutes.checkpoints],
  ['human_minutes_approvals', (m) => m.humanMinutes.approvals],
  ['human_minutes_editing', (m) => m.humanMinutes.editing],
  ['human_minutes_logged', (m) => m.humanMinutes.logged],
  ['hours_saved', (m) => m.hours.saved],
  ['hours_maintenance', (m) => m.hours.maintenance],
  ['net_hours', (m) => m.hours.net],
  ['cost_tokens_usd', (m) => dollars(m.costs.tokensCents)],
  ['cost_tools_usd', (m) => dollars(m.costs.toolsCents)],
  ['cost_voice_usd', (m) => dollars(m.costs.voiceCents)],
  ['voice_minutes', (m) => m.costs.voiceMinutes],
  ['cost_paid_messages_usd', (m) => dollars(m.costs.paidMessagesCents)],
  ['cost_total_usd', (m) => dollars(m.costs.totalCents)],
  ['ai_cost_per_conversation_usd', (m) => dollars(m.perConversation.aiCostCents)],
  ['human_cost_per_conversation_usd', (m) => dollars(m.perConversation.humanCostCents)],
  ['saving_usd', (m) => dollars(m.savingCents)],
];

function dollars(cents: number | null): string | null {
  return cents === null ? null : (Math.round(cents) / 100).toFixed(2);
}

function field(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // A leading =, +, - or @ makes spreadsheets run the cell as a formula; agent names cannot start so, but be safe.
  const safe = /^[=+@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function metricsCsv(months: readonly AgentMetrics[]): string {
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const m of months) lines.push(COLUMNS.map(([, get]) => field(get(m))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
