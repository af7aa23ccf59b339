WITH complained AS (
  SELECT
    e."sender_identity" AS sender_identity,
    e.complaint."timestamp" AS complained_at,
    e.mail.messageid AS message_id,
    r.emailaddress AS recipient,
    e.complaint.complaintfeedbacktype AS feedback_type,
    e.complaint.complaintsubtype AS complaint_subtype,
    e.complaint.useragent AS user_agent,
    e.complaint.arrivaldate AS arrival_date,
    e.mail.commonheaders.subject AS subject,
    e.mail.source AS source,
    e.mail."timestamp" AS sent_at,
    e.complaint.feedbackid AS feedback_id,
    row_number() OVER (PARTITION BY e.mail.messageid, e.complaint.feedbackid, r.emailaddress ORDER BY e.complaint."timestamp") AS n_copy
  FROM "sesctl"."ses_events" e
  CROSS JOIN UNNEST(e.complaint.complainedrecipients) AS r(emailaddress)
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Complaint'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Complaint'
)
SELECT sender_identity, complained_at, message_id, recipient, feedback_type, complaint_subtype, user_agent,
  arrival_date, subject, source, sent_at, feedback_id
FROM complained
WHERE n_copy = 1
ORDER BY complained_at, message_id, recipient, sender_identity, feedback_id
LIMIT 100
