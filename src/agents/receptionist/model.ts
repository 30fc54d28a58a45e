// The receptionist's model, shared by its parts (bookings and availability in bookings.ts, the dialogue in
// dialogue/, the voice channel through its tools): a business's services and resources, free slots, bookings.
// Times are instants (UTC `Date`); a business's time zone says how they read on a wall clock.

/** A service the business offers: how long it takes, what it costs, who or what can do it. */
export interface Service {
  id: string;
  name: string;
  durationMin: number;
  priceCents: number | null;
  /** Kept free before and after the appointment (set-up, cleaning); part of the resource's blocked time. */
  bufferBeforeMin: number;
  bufferAfterMin: number;
  /** The resources (staff, chairs, rooms) that can do it. */
  resourceIds: string[];
}

export interface Resource {
  id: string;
  name: string;
}

/** A free start time for a service on one resource. */
export interface Slot {
  serviceId: string;
  resourceId: string;
  resourceName: string;
  start: Date;
  end: Date;
}

export type BookingStatus = 'confirmed' | 'tentative' | 'cancelled';

export interface BookingCustomer {
  name: string;
  phone?: string | undefined;
  email?: string | undefined;
}

export interface Booking {
  id: string;
  agentId: string;
  /** Short, unambiguous, said over the phone: what a customer quotes to move or cancel. */
  code: string;
  serviceId: string;
  resourceId: string;
  start: Date;
  end: Date;
  status: BookingStatus;
  customer: BookingCustomer;
  /** Where it was made (webchat, email, whatsapp, voice, dashboard) and its conversation, for reminders. */
  channel: string | null;
  conversationId: string | null;
  createdAt: Date;
  /** A tentative booking's hold lapses then (pilot: when its approval expires); null otherwise. */
  holdUntil?: Date | null;
}

/** What the dialogue understood of one customer message (dialogue/parse.ts). */
export type Intent = 'book' | 'reschedule' | 'cancel' | 'availability' | 'question' | 'person' | 'other';

export interface Understanding {
  intent: Intent;
  /** A service name as the business calls it, when the message names one. */
  service?: string;
  /** The wall-clock date (YYYY-MM-DD) in the business's time zone. */
  date?: string;
  /** The wall-clock time (HH:MM, 24 h). */
  time?: string;
  /** How the time is meant: exactly, or a bound ("after 3", "before noon"), or a part of the day. */
  timeQualifier?: 'at' | 'after' | 'before' | 'morning' | 'afternoon' | 'evening';
  name?: string;
  phone?: string;
  email?: string;
  /** A booking's confirmation code, when quoted. */
  code?: string;
  /** Set when the message holds a date that could mean two days: asked back, never guessed. */
  ambiguous?: string;
  /** With `ambiguous`: the dates (YYYY-MM-DD) it could mean, for the question back. */
  dateOptions?: string[];
}
