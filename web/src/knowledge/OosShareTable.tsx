// What an answer threshold delivers when live traffic has another share of questions a person must take: precision
// and coverage with the test set resampled to 0, 10, 20 and 30% out of scope (the report's byOosShare), the share
// the agent assumes marked, and a warning where precision falls below the target. Names no kind: a wing shows it
// beside its evaluation chart.
import type { ShareFigures } from '../../../src/agents/support/oos-share.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export type { ShareFigures as ShareFiguresView };

export function OosShareTable({
  rows,
  assumed,
  target,
}: {
  rows: ShareFigures[];
  /** The agent's assumed out-of-scope share; null for evaluations recorded before it was kept. */
  assumed: number | null;
  target: number;
}) {
  if (rows.length === 0) return null;
  return (
    <table className="table table-compact oos-share-table">
      <caption>
        If live traffic has this share of out-of-scope questions
        {assumed !== null ? ` (the agent assumes up to ${pct(assumed)})` : ''}
      </caption>
      <thead>
        <tr>
          <th scope="col">Out of scope</th>
          <th scope="col">Precision</th>
          <th scope="col">Coverage</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => {
          const isAssumed = assumed !== null && Math.abs(r.share - assumed) < 1e-9;
          const below = r.precision !== null && r.precision < target;
          return (
            <tr key={r.share} className={isAssumed ? 'assumed' : undefined}>
              <th scope="row">
                {pct(r.share)}
                {isAssumed ? ' (assumed)' : ''}
              </th>
              <td className={below ? 'below-target' : undefined}>
                {r.precision === null ? 'no out-of-scope questions in the set' : pct(r.precision)}
                {below ? ' (below target)' : ''}
              </td>
              <td>{r.coverage === null ? '–' : pct(r.coverage)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
