WITH rejected AS (
  SELECT
    e."sender_identity" AS sender_identity,
    e.mail."timestamp" AS rejected_at,
    e.mail.messageid AS message_id,
    e.reject.reason AS reason,
    array_join(e.mail.destination, ', ') AS recipients,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    row_number() OVER (PARTITION BY e.mail.messageid ORDER BY e.mail."timestamp") AS n_copy
  FROM "sesctl"."ses_events" e
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Reject'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Reject'
)
SELECT sender_identity, rejected_at, message_id, reason, recipients, subject, source
FROM rejected
WHERE n_copy = 1
ORDER BY rejected_at, message_id, sender_identity
LIMIT 100
