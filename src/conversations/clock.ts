// The waiting clock of a hand-off against the team's reply-time target (issue 24): fine under 75 % of the target,
// amber from there, red past it. No dependency: the dashboard's inbox cards use it as the server's tests do.

/** Share of the target at which the waiting clock turns amber. */
export const AMBER_SHARE = 0.75;

export type WaitingTone = 'ok' | 'amber' | 'red';

export function waitingTone(waitedMs: number, targetMinutes: number): WaitingTone {
  const target = targetMinutes * 60_000;
  if (waitedMs > target) return 'red';
  if (waitedMs >= target * AMBER_SHARE) return 'amber';
  return 'ok';
}

/** "4 min", "1 h 05 min", "2 d 3 h": a waiting time at a glance. */
export function waitedLabel(waitedMs: number): string {
  const minutes = Math.max(0, Math.floor(waitedMs / 60_000));
  if (minutes < 1) return 'under 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
