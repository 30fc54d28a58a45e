// Login throttling, in the database so every node enforces the same delays. An attempt is counted before its
// password is hashed, in one transaction that either counts it under every key it falls under or refuses it: parallel
// guesses cannot all slip through while the first ones are still being hashed.
//
// Delays grow instead of locking an account: each key allows a few free failures, then each further failure
// doubles the wait before the next attempt, up to a cap. The keys:
// - the (account, address) pair: a stranger guessing from one address slows down only there;
// - the account, from addresses it never signed in from: a looser limit on guesses spread over many addresses, whose
//   cap is short, and which the account's own known addresses skip, so its owner still gets in;
// - the address, across accounts: one address spraying many accounts.
// A correct password clears its pair and makes the address known to the account. Failures are forgotten after an
// hour without one.
import type { Services } from '../context.ts';
import type { Queryable } from '../store/db.ts';

interface Rule {
  scope: 'pair' | 'account' | 'address';
  /** Failures that cost no wait. */
  free: number;
  /** The wait after the first failure past the free ones, doubled by each further one, up to capSeconds. */
  baseSeconds: number;
  capSeconds: number;
}

export const LOGIN_RULES = {
  pair: { scope: 'pair', free: 3, baseSeconds: 1, capSeconds: 15 * 60 },
  account: { scope: 'account', free: 10, baseSeconds: 1, capSeconds: 60 },
  address: { scope: 'address', free: 20, baseSeconds: 1, capSeconds: 15 * 60 },
} as const satisfies Record<string, Rule>;

/** A key's failures are forgotten this long after its last one. */
const FORGET_SECONDS = 3600;
/** An address stays known to an account this long after its last successful sign-in. */
const KNOWN_DAYS = 90;

export type LoginGate = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const normalEmail = (email: string) => email.trim().toLowerCase();
const pairKey = (email: string, ip: string) => `${normalEmail(email)} ${ip}`;

/** The wait after `f` failures under `rule`, in seconds, as SQL over the integer expression f. */
function delaySql(f: string, rule: Rule): string {
  return `CASE WHEN ${f} <= ${rule.free} THEN 0
    ELSE least(${rule.capSeconds}, ${rule.baseSeconds} * power(2, least(${f} - ${rule.free} - 1, 30))) END`;
}

function countSql(rule: Rule): string {
  const failures = `CASE WHEN t.last_at <= $3::timestamptz - interval '${FORGET_SECONDS} seconds' THEN 1 ELSE t.failures + 1 END`;
  return `INSERT INTO login_throttle AS t (scope, key, failures, next_at, last_at)
    VALUES ($1, $2, 1, $3::timestamptz + ${delaySql('1', rule)} * interval '1 second', $3)
    ON CONFLICT (scope, key) DO UPDATE SET
      failures = ${failures},
      next_at = $3::timestamptz + ${delaySql(`(${failures})`, rule)} * interval '1 second',
      last_at = $3
    WHERE t.next_at <= $3
    RETURNING failures`;
}

class Refused extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('refused');
  }
}

/**
 * Counts a sign-in attempt as a failure before its password is checked, under every key it falls under, or refuses
 * it (counting nothing) when one of them still has to wait. A correct password then calls loginSuccessRecorder.
 */
export async function loginAttemptCounter(svc: Services, email: string, ip: string): Promise<LoginGate> {
  const now = svc.clock.now();
  try {
    await svc.db.transaction(async (tx) => {
      const [known] = await tx.query(
        `SELECT 1 FROM login_throttle WHERE scope = 'known' AND key = $1 AND last_at > $2::timestamptz - interval '${KNOWN_DAYS} days'`,
        [pairKey(email, ip), now],
      );
      const keys: [Rule, string][] = [
        [LOGIN_RULES.pair, pairKey(email, ip)],
        ...(known ? [] : [[LOGIN_RULES.account, normalEmail(email)] as [Rule, string]]),
        [LOGIN_RULES.address, ip],
      ];
      for (const [rule, key] of keys) {
        const [counted] = await tx.query(countSql(rule), [rule.scope, key, now]);
        if (!counted) throw new Refused(await waitOf(tx, rule.scope, key, now));
      }
    });
    return { allowed: true };
  } catch (err) {
    if (err instanceof Refused) return { allowed: false, retryAfterSeconds: err.retryAfterSeconds };
    throw err;
  }
}

async function waitOf(tx: Queryable, scope: string, key: string, now: Date): Promise<number> {
  const [row] = await tx.query<{ next_at: Date }>(
    'SELECT next_at FROM login_throttle WHERE scope = $1 AND key = $2',
    [scope, key],
  );
  const ms = row ? new Date(row.next_at).getTime() - now.getTime() : 1000;
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * A correct password: its attempt was no failure. Clears the pair, takes the attempt back from the account and the
 * address, and makes the address known to the account (it skips the account-wide limit from now on).
 */
export async function loginSuccessRecorder(svc: Services, email: string, ip: string): Promise<void> {
  const now = svc.clock.now();
  const pair = pairKey(email, ip);
  await svc.db.transaction(async (tx) => {
    await tx.query(`DELETE FROM login_throttle WHERE scope = 'pair' AND key = $1`, [pair]);
    await tx.query(
      `UPDATE login_throttle SET failures = greatest(failures - 1, 0)
       WHERE (scope = 'account' AND key = $1) OR (scope = 'address' AND key = $2)`,
      [normalEmail(email), ip],
    );
    await tx.query(
      `INSERT INTO login_throttle (scope, key, next_at, last_at) VALUES ('known', $1, $2, $2)
       ON CONFLICT (scope, key) DO UPDATE SET last_at = EXCLUDED.last_at`,
      [pair, now],
    );
    // Housekeeping: keys nobody failed under for an hour, addresses unused for 90 days.
    await tx.query(
      `DELETE FROM login_throttle WHERE last_at < $1::timestamptz - interval '${FORGET_SECONDS} seconds'
       AND (scope <> 'known' OR last_at < $1::timestamptz - interval '${KNOWN_DAYS} days')`,
      [now],
    );
  });
}
