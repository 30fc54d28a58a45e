-- Pilot = tentative hold: a booking the agent makes while a person has still to approve it is written `tentative`
-- (it holds the slot: the exclusion constraint covers every status but cancelled) with the instant its hold lapses,
-- the expiry of the approval that would confirm it. A lapsed hold blocks nobody: searches skip it, and a booking
-- command cancels it (under the resource's lock) before taking its time. Confirming clears it.
ALTER TABLE bookings ADD COLUMN hold_until timestamptz;
ALTER TABLE bookings ADD CONSTRAINT bookings_hold_tentative CHECK (hold_until IS NULL OR status <> 'confirmed');
