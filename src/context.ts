// What every command needs, passed explicitly instead of a DI container: the database, the audit log, the
// clock, and who is acting.
import { randomUUID } from 'node:crypto';
import { AuditLog } from './audit/log.ts';
import { type Clock, systemClock } from './clock.ts';
import type { Db } from './store/db.ts';

export interface Services {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  /** Identifies this process among the nodes sharing the database (leases on runs). */
  nodeId: string;
}

export function createServices(
  db: Db,
  clock: Clock = systemClock,
  nodeId = `node-${randomUUID().slice(0, 8)}`,
): Services {
  return { db, audit: new AuditLog(db, clock), clock, nodeId };
}

/** Who did something: `user:<email>`, `token:<name>`, `agent:<name>`, `system`, `cli`. */
export type Actor = string;
