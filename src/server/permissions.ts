// Authorization in one place: which roles may do what. Every route names one permission; authorize() checks it.
import type { Role } from '../accounts/users.ts';
import { AppError } from '../errors.ts';

export const PERMISSIONS = {
  'agents.read': ['admin', 'reviewer', 'viewer'],
  'agents.write': ['admin'],
  'agents.kill': ['admin'],
  'readiness.read': ['admin', 'reviewer', 'viewer'],
  'readiness.assess': ['admin'],
  'runs.read': ['admin', 'reviewer', 'viewer'],
  'runs.start': ['admin', 'reviewer'],
  'runs.checkpoint': ['admin', 'reviewer'],
  'approvals.read': ['admin', 'reviewer', 'viewer'],
  'approvals.decide': ['admin', 'reviewer'],
  'escalations.read': ['admin', 'reviewer', 'viewer'],
  'escalations.handle': ['admin', 'reviewer'],
  'audit.read': ['admin', 'reviewer', 'viewer'],
  'audit.verify': ['admin', 'reviewer', 'viewer'],
  'audit.export': ['admin'],
  'audit.anchor': ['admin'],
  'users.manage': ['admin'],
  'tokens.manage': ['admin'],
  'kb.read': ['admin', 'reviewer', 'viewer'],
  'kb.write': ['admin', 'reviewer'],
  'business.read': ['admin', 'reviewer', 'viewer'],
  'business.write': ['admin'],
  'bookings.read': ['admin', 'reviewer', 'viewer'],
  'bookings.write': ['admin', 'reviewer'],
  'events.read': ['admin', 'reviewer', 'viewer'],
  'mcp.read': ['admin', 'reviewer', 'viewer'],
  'mcp.act': ['admin', 'reviewer'],
  'mcp.manage': ['admin'],
  'hiring.read': ['admin', 'reviewer', 'viewer'],
  'hiring.write': ['admin', 'reviewer'],
  'hiring.decide': ['admin', 'reviewer'],
  'hiring.erase': ['admin'],
  'metrics.read': ['admin', 'reviewer', 'viewer'],
  'worklog.write': ['admin', 'reviewer'],
  // The Conversations view and the inbox's team settings (issue 24).
  'conversations.read': ['admin', 'reviewer', 'viewer'],
  'conversations.review': ['admin', 'reviewer'],
  'conversations.export': ['admin', 'reviewer'],
  'inbox.settings': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function authorize(role: Role, permission: Permission): void {
  if (!can(role, permission)) throw new AppError('forbidden', `the ${role} role cannot ${permission}`);
}
