-- Every customer message moves its conversation's updated_at. With updated_at in two indexes that update could
-- never be HOT: each turn wrote a new version of the row into all four of the table's indexes. The lookups those
-- indexes serve (a WhatsApp number's recent conversation, a customer's conversations) have a handful of rows per key,
-- which sort in no time, so the indexes now stop at the key; and the table keeps a fifth of each page free so the
-- new row version fits beside the old one (fillfactor applies to pages written from now on).
DROP INDEX conversations_address;
CREATE INDEX conversations_address ON conversations (agent_id, channel, address);
DROP INDEX conversations_customer;
CREATE INDEX conversations_customer ON conversations (agent_id, customer_id);
ALTER TABLE conversations SET (fillfactor = 80);
