-- Events travel on a notification channel of this install's own schema: NOTIFY reaches every listener of the
-- database, so two installs (or test schemas) sharing one database must not hear each other's events.
CREATE FUNCTION twelve_event_channel() RETURNS text LANGUAGE sql STABLE AS $fn$
  SELECT CASE WHEN current_schema() = 'public' THEN 'twelve_events' ELSE 'twelve_events_' || current_schema() END
$fn$;
