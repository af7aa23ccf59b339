WITH clicked AS (
  SELECT
    e."sender_identity" AS sender_identity,
    e.click."timestamp" AS clicked_at,
    e.mail.messageid AS message_id,
    e.click.link AS link,
    e.click.ipaddress AS ip_address,
    e.click.useragent AS user_agent,
    array_join(e.mail.destination, ', ') AS recipients,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    row_number() OVER (PARTITION BY e.mail.messageid, e.click."timestamp", e.click.link, e.click.ipaddress, e.click.useragent ORDER BY e.click."timestamp") AS n_copy
  FROM "sesctl"."ses_events" e
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Click'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Click'
)
SELECT sender_identity, clicked_at, message_id, link, ip_address, user_agent, recipients, subject, source
FROM clicked
WHERE n_copy = 1
ORDER BY clicked_at, message_id, link, ip_address, user_agent, sender_identity
LIMIT 100
