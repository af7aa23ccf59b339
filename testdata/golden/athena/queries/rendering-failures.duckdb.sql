WITH failed AS (
  SELECT
    e."sender_identity" AS sender_identity,
    e.mail."timestamp" AS failed_at,
    e.mail.messageid AS message_id,
    e.failure.templatename AS template_name,
    e.failure.errormessage AS error_message,
    array_to_string(e.mail.destination, ', ') AS recipients,
    e.mail.source AS source,
    row_number() OVER (PARTITION BY e.mail.messageid ORDER BY e.mail."timestamp") AS n_copy
  FROM "ses_events__rendering_failure" e
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Rendering Failure'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Rendering Failure'
)
SELECT sender_identity, failed_at, message_id, template_name, error_message, recipients, source
FROM failed
WHERE n_copy = 1
ORDER BY failed_at, message_id, sender_identity
LIMIT 100
