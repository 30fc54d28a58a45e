-- Channels: inbound deduplication (providers redeliver) and the outbound outbox on the messages table itself.
CREATE TABLE channel_inbound (
  channel text NOT NULL,
  external_id text NOT NULL,
  agent_id uuid NOT NULL REFERENCES agents (id),
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processing', 'processed', 'dropped', 'failed')),
  attempts int NOT NULL DEFAULT 0,
  error text,
  conversation_id text,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  PRIMARY KEY (channel, external_id)
);
CREATE INDEX channel_inbound_pending ON channel_inbound (received_at) WHERE status IN ('received', 'processing');

ALTER TABLE conversations ADD COLUMN address text;          -- the customer's address on the channel (email, phone)
ALTER TABLE conversations ADD COLUMN last_inbound_at timestamptz; -- WhatsApp's 24-hour window starts here
ALTER TABLE conversations ADD COLUMN subject text;
CREATE INDEX conversations_address ON conversations (agent_id, channel, address, updated_at DESC);

ALTER TABLE messages ADD COLUMN channel text;
ALTER TABLE messages ADD COLUMN external_id text;
ALTER TABLE messages ADD COLUMN delivery text CHECK (delivery IN ('queued', 'sending', 'sent', 'delivered', 'read', 'failed'));
ALTER TABLE messages ADD COLUMN delivery_attempts int NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN delivery_error text;
ALTER TABLE messages ADD COLUMN next_attempt_at timestamptz;
CREATE UNIQUE INDEX messages_external ON messages (channel, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX messages_outbox ON messages (next_attempt_at NULLS FIRST) WHERE delivery IN ('queued', 'sending');

-- The outbox: any message sent into a conversation on an asynchronous channel is queued for delivery, whoever
-- wrote it (the runtime, a human reply from the inbox, a future writer). Web chat pushes live and needs no queue.
CREATE FUNCTION messages_enqueue_delivery() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  conv_channel text;
BEGIN
  IF NEW.direction = 'out' AND NEW.status = 'sent' AND NEW.delivery IS NULL AND NEW.conversation_id IS NOT NULL THEN
    SELECT channel INTO conv_channel FROM conversations WHERE id = NEW.conversation_id;
    IF conv_channel IN ('email', 'whatsapp') THEN
      NEW.channel := conv_channel;
      NEW.delivery := 'queued'; -- next_attempt_at NULL: due at once
    END IF;
  END IF;
  RETURN NEW;
END
$fn$;

CREATE TRIGGER messages_outbox BEFORE INSERT OR UPDATE OF status ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_enqueue_delivery();
