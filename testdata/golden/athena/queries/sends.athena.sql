WITH sent AS (
  SELECT
    e."sender_identity" AS sender_identity,
    e.mail."timestamp" AS sent_at,
    e.mail.messageid AS message_id,
    array_join(e.mail.destination, ', ') AS recipients,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    element_at(element_at(e.mail.tags, 'ses:configuration-set'), 1) AS configuration_set,
    row_number() OVER (PARTITION BY e.mail.messageid ORDER BY e.mail."timestamp") AS n_copy
  FROM "sesctl"."ses_events" e
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Send'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Send'
)
SELECT sender_identity, sent_at, message_id, recipients, subject, source, configuration_set
FROM sent
WHERE n_copy = 1
ORDER BY sent_at, message_id, sender_identity
LIMIT 100
