// The bookings' model, shared by every kind that books (the receptionist's appointments, the hiring agent's phone
// screens): a business's services and resources, free slots, bookings. Times are instants (UTC `Date`); a business's
// time zone says how they read on a wall clock.

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
