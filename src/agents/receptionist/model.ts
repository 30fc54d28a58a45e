// The receptionist's model: what its dialogue understood of a message. The booking types (services, resources, free
// slots, bookings) are the platform's (src/business/booking-model.ts), re-exported here for the receptionist's parts.

export type {
  Booking,
  BookingCustomer,
  BookingStatus,
  Resource,
  Service,
  Slot,
} from '../../business/booking-model.ts';

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
