WITH opened AS (
  SELECT
    e."sender_identity" AS sender_identity,
    e.open."timestamp" AS opened_at,
    e.mail.messageid AS message_id,
    e.open.ipaddress AS ip_address,
    e.open.useragent AS user_agent,
    array_to_string(e.mail.destination, ', ') AS recipients,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    row_number() OVER (PARTITION BY e.mail.messageid, e.open."timestamp", e.open.ipaddress, e.open.useragent ORDER BY e.open."timestamp") AS n_copy
  FROM "ses_events__open" e
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Open'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Open'
)
SELECT sender_identity, opened_at, message_id, ip_address, user_agent, recipients, subject, source
FROM opened
WHERE n_copy = 1
ORDER BY opened_at, message_id, ip_address, user_agent, sender_identity
LIMIT 100
