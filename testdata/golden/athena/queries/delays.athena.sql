WITH delayed AS (
  SELECT
    e."sender_identity" AS sender_identity,
    e.deliverydelay."timestamp" AS delayed_at,
    e.mail.messageid AS message_id,
    r.emailaddress AS recipient,
    e.deliverydelay.delaytype AS delay_type,
    r.status AS status,
    r.diagnosticcode AS diagnostic_code,
    e.deliverydelay.expirationtime AS expiration_time,
    e.deliverydelay.reportingmta AS reporting_mta,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    e.mail."timestamp" AS sent_at,
    row_number() OVER (PARTITION BY e.mail.messageid, e.deliverydelay."timestamp", r.emailaddress ORDER BY e.deliverydelay."timestamp") AS n_copy
  FROM "sesctl"."ses_events" e
  CROSS JOIN UNNEST(e.deliverydelay.delayedrecipients) AS r(emailaddress, status, diagnosticcode)
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'DeliveryDelay'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'DeliveryDelay'
)
SELECT sender_identity, delayed_at, message_id, recipient, delay_type, status, diagnostic_code, expiration_time,
  reporting_mta, subject, source, sent_at
FROM delayed
WHERE n_copy = 1
ORDER BY delayed_at, message_id, recipient, sender_identity
LIMIT 100
