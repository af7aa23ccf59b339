WITH delivered AS (
  SELECT
    e."sender_identity" AS sender_identity,
    e.delivery."timestamp" AS delivered_at,
    e.mail.messageid AS message_id,
    r AS recipient,
    e.delivery.processingtimemillis AS processing_time_ms,
    e.delivery.smtpresponse AS smtp_response,
    e.delivery.reportingmta AS reporting_mta,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    e.mail."timestamp" AS sent_at,
    row_number() OVER (PARTITION BY e.mail.messageid, e.delivery."timestamp", r ORDER BY e.delivery."timestamp") AS n_copy
  FROM "ses_events__delivery" e
  CROSS JOIN UNNEST(e.delivery.recipients) AS u_r(r)
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Delivery'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Delivery'
)
SELECT sender_identity, delivered_at, message_id, recipient, processing_time_ms, smtp_response, reporting_mta,
  subject, source, sent_at
FROM delivered
WHERE n_copy = 1
ORDER BY delivered_at, message_id, recipient, sender_identity
LIMIT 100
