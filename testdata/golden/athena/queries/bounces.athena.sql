WITH bounced AS (
  SELECT
    e."sender_identity" AS sender_identity,
    e.bounce."timestamp" AS bounced_at,
    e.mail.messageid AS message_id,
    r.emailaddress AS recipient,
    e.bounce.bouncetype AS bounce_type,
    e.bounce.bouncesubtype AS bounce_subtype,
    r.action AS action,
    r.status AS status,
    r.diagnosticcode AS diagnostic_code,
    e.bounce.reportingmta AS reporting_mta,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    e.mail."timestamp" AS sent_at,
    e.bounce.feedbackid AS feedback_id,
    row_number() OVER (PARTITION BY e.mail.messageid, e.bounce.feedbackid, r.emailaddress ORDER BY e.bounce."timestamp") AS n_copy
  FROM "sesctl"."ses_events" e
  CROSS JOIN UNNEST(e.bounce.bouncedrecipients) AS r(emailaddress, action, status, diagnosticcode)
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Bounce'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Bounce'
)
SELECT sender_identity, bounced_at, message_id, recipient, bounce_type, bounce_subtype, action, status,
  diagnostic_code, reporting_mta, subject, source, sent_at, feedback_id
FROM bounced
WHERE n_copy = 1
ORDER BY bounced_at, message_id, recipient, sender_identity, feedback_id
LIMIT 100
