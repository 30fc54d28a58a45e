// Which agent an address belongs to: support agents carry their address in config.email
// (`{ "email": { "address": "support@northwind.example", "name": "Northwind Support" } }`). The SMTP listener asks
// on every RCPT TO, so the list is cached briefly; an unknown address refreshes it at most every few seconds, so a
// newly configured agent works at once while a sender spraying unknown recipients cannot hammer the database.
import type { Queryable } from '../../store/db.ts';
import { baseAddress, validAddress } from './normalize.ts';

export interface EmailAgent {
  id: string;
  name: string;
  /** The support address, lower-cased; null for an IMAP mailbox's agent configured without one. */
  address: string | null;
  /** config.email.name: the display name on outbound mail, before TWELVE_MAIL_FROM and the agent's own name. */
  fromName: string | null;
  displayName: string;
}

const TTL_MS = 30_000;
const MISS_REFRESH_MS = 2_000;

export function agentFromRow(r: Record<string, unknown>): EmailAgent {
  const email = (r.email ?? {}) as { address?: unknown; name?: unknown };
  return {
    id: String(r.id),
    name: String(r.name),
    address: validAddress(typeof email.address === 'string' ? email.address : '') || null,
    fromName: typeof email.name === 'string' && email.name.trim() ? email.name.trim() : null,
    displayName: String(r.display_name),
  };
}

/** An agent by id or name (TWELVE_IMAP_AGENT; the outbox's agent id), whatever its kind. */
export async function emailAgentFinder(q: Queryable, idOrName: string): Promise<EmailAgent | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
  const [row] = await q.query<Record<string, unknown>>(
    `SELECT id, name, display_name, config->'email' AS email FROM agents WHERE ${isUuid ? 'id = $1::uuid' : 'name = $1'}`,
    [idOrName],
  );
  return row ? agentFromRow(row) : null;
}

export class AddressBook {
  private byAddress = new Map<string, EmailAgent>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly q: Queryable,
    /** Addresses we send from that belong to no agent (TWELVE_MAIL_FROM, the IMAP user). */
    private readonly extraOwn: readonly string[] = [],
    /** The kinds whose agents email serves (App.kindsServing('email')); null: any kind. */
    private readonly kinds: readonly string[] | null = null,
  ) {}

  /** The agent a recipient address (plus-tag ignored) belongs to, or null. */
  async agentFor(address: string): Promise<EmailAgent | null> {
    const key = baseAddress(address);
    const fresh = await this.load(TTL_MS);
    const hit = this.byAddress.get(key);
    if (hit || fresh) return hit ?? null;
    await this.load(MISS_REFRESH_MS);
    return this.byAddress.get(key) ?? null;
  }

  /** Every address of ours, lower-cased: mail from one of them is our own looping back. */
  async ownAddresses(): Promise<Set<string>> {
    await this.load(TTL_MS);
    return new Set([...this.byAddress.keys(), ...this.extraOwn.map((a) => a.toLowerCase())]);
  }

  /** Reloads when the list is older than maxAgeMs; true when it reloaded. */
  private async load(maxAgeMs: number): Promise<boolean> {
    if (performance.now() - this.loadedAt < maxAgeMs) return false;
    this.loading ??= (async () => {
      const rows = await this.q.query<Record<string, unknown>>(
        `SELECT id, name, display_name, config->'email' AS email FROM agents
         WHERE ($1::text[] IS NULL OR kind = ANY($1::text[])) AND config->'email'->>'address' IS NOT NULL
         ORDER BY created_at, id`,
        [this.kinds],
      );
      const next = new Map<string, EmailAgent>();
      for (const row of rows) {
        const agent = agentFromRow(row);
        if (agent.address && !next.has(agent.address)) next.set(agent.address, agent);
      }
      this.byAddress = next;
      this.loadedAt = performance.now();
    })().finally(() => {
      this.loading = null;
    });
    await this.loading;
    return true;
  }
}
