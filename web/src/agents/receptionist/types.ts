// What the receptionist's API answers (src/agents/receptionist/routes/bookings.ts, src/server/routes/calls.ts), as the
// dashboard reads it.
import type { BusinessHours } from '../../../../src/business/hours.ts';
import type { AgentView } from '../../types.ts';

export interface BookingRules {
  minNoticeMin: number;
  maxDaysAhead: number;
  slotStepMin: number;
  reminderHours: number;
}

export interface Profile {
  timezone: string;
  hours: BusinessHours;
  rules: BookingRules;
  updatedAt: string;
}

export interface TimeOff {
  from: string;
  to: string;
  note?: string;
}

export interface ResourceView {
  id: string;
  name: string;
  kind: 'staff' | 'chair' | 'room' | 'equipment';
  hours: BusinessHours | null;
  timeOff: TimeOff[];
  hasFeed: boolean;
  archived: boolean;
}

export interface ServiceView {
  id: string;
  name: string;
  durationMin: number;
  priceCents: number | null;
  bufferBeforeMin: number;
  bufferAfterMin: number;
  resourceIds: string[];
  archived: boolean;
}

export interface Business {
  profile: Profile | null;
  services: ServiceView[];
  resources: ResourceView[];
}

export interface Customer {
  name: string;
  phone?: string;
  email?: string;
}

export interface BookingView {
  id: string;
  code: string;
  serviceId: string;
  resourceId: string;
  start: string;
  end: string;
  localStart: string;
  localEnd: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  customer: Customer;
  channel: string | null;
}

export interface SlotView {
  resourceId: string;
  resourceName: string;
  start: string;
  localStart: string;
}

export interface CallView {
  callId: string;
  customerNumber: string | null;
  status: string | null;
  endedReason: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationSec: number | null;
  cost: number | null;
  summary: string | null;
  transcript: string | null;
  outcome: { tools: string[]; escalated: boolean };
  createdAt: string;
}

/** The agent card's block (API: `agent.receptionist`). */
export interface ReceptionistSummary {
  today: number;
  /** Bookings per day for the next 7 days (today first), or their total. */
  next7Days: number | number[];
  tentative: number;
  cancelled30Days: number;
}

export type ReceptionistAgentView = AgentView & { receptionist?: ReceptionistSummary };

export const agentPath = (agent: string) => `/api/agents/${encodeURIComponent(agent)}`;
