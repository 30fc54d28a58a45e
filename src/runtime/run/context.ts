// What every part of a run's driver shares: the services, the Runtime's options and its per-node state. The Runtime
// (runtime.ts) builds one and passes it to the parts; they are plain functions of it, no part holds state of its own.
import type { Services } from '../../context.ts';
import type { AfterCommitNotifier } from '../../events/emit.ts';
import type { RuntimeOptions } from './options.ts';

export interface RunContext {
  readonly svc: Services;
  readonly opts: RuntimeOptions;
  readonly leaseMs: number;
  readonly approvalTtlMs: number;
  /** Sends the events of statements that notify after their commit (a sent final reply's message.sent). */
  readonly notifier: AfterCommitNotifier;
  /** The runs this node is driving now: a second drive of one of them returns at once. */
  readonly driving: Set<string>;
}
