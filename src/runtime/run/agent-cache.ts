// A node's agents and their effective modes, by the reference runs are started with (an id or a name). Each entry
// keeps the policy epoch it was read under; the statement that writes a run checks it, so a change committed on any
// node (agents, readiness assessments, evaluations, users all move the epoch) is never missed (start.ts).
import type { Services } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { presentAgentRow } from '../agents.ts';
import type { Mode } from '../mode.ts';
import type { AgentConfig } from '../types.ts';
import type { RuntimeOptions } from './options.ts';

export interface CachedAgent {
  agent: AgentConfig;
  mode: Mode;
  /** The policy epoch the two were read under; null: not cached, nothing to check. */
  epoch: number | null;
}

const MAX_CACHED_AGENTS = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AgentCache {
  private readonly agents = new Map<string, CachedAgent>();

  constructor(
    private readonly svc: Services,
    private readonly opts: Pick<RuntimeOptions, 'modeFor' | 'cacheAgents'>,
  ) {}

  /** The cached agent, read with nothing. */
  get(agentRef: string): CachedAgent | undefined {
    return this.agents.get(agentRef);
  }

  delete(agentRef: string): void {
    this.agents.delete(agentRef);
  }

  /**
   * An agent and its effective mode, with the policy epoch read before them (a change committed after that read
   * moves the epoch past the cached one). Cached per node only when the mode resolver allows it.
   */
  async load(agentRef: string): Promise<CachedAgent> {
    const isUuid = UUID.test(agentRef);
    const [row] = await this.svc.db.query<Record<string, unknown>>(
      `SELECT a.*, (SELECT epoch FROM policy_epoch) AS policy_epoch FROM agents a WHERE ${isUuid ? 'a.id' : 'a.name'} = $1`,
      [agentRef],
    );
    if (!row) throw new AppError('not_found', `no agent "${agentRef}"`);
    const agent = presentAgentRow(row);
    const mode = await this.opts.modeFor(this.svc.db, agent);
    if (!this.opts.cacheAgents) return { agent, mode, epoch: null };
    const cached = { agent, mode, epoch: Number(row.policy_epoch) };
    if (this.agents.size >= MAX_CACHED_AGENTS) this.agents.clear();
    this.agents.set(agentRef, cached);
    return cached;
  }
}
