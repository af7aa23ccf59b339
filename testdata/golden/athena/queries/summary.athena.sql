WITH items AS (
  SELECT e."sender_identity" AS sender_identity, coalesce(element_at(element_at(e.mail.tags, 'ses:configuration-set'), 1), '') AS configuration_set, substr(e."day", 1, 4) || '-' || substr(e."day", 6, 2) || '-' || substr(e."day", 9, 2) AS "day", 'send' AS kind,
    coalesce(e.mail.messageid, '') || '|' || coalesce(r, '') AS event_key
  FROM "sesctl"."ses_events" e
  CROSS JOIN UNNEST(e.mail.destination) AS u_r(r)
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Send'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Send'
  UNION ALL
  SELECT e."sender_identity", coalesce(element_at(element_at(e.mail.tags, 'ses:configuration-set'), 1), ''), substr(e."day", 1, 4) || '-' || substr(e."day", 6, 2) || '-' || substr(e."day", 9, 2), 'delivery',
    coalesce(e.mail.messageid, '') || '|' || coalesce(e.delivery."timestamp", '') || '|' || coalesce(r, '')
  FROM "sesctl"."ses_events" e
  CROSS JOIN UNNEST(e.delivery.recipients) AS u_r(r)
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Delivery'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Delivery'
  UNION ALL
  SELECT e."sender_identity", coalesce(element_at(element_at(e.mail.tags, 'ses:configuration-set'), 1), ''), substr(e."day", 1, 4) || '-' || substr(e."day", 6, 2) || '-' || substr(e."day", 9, 2),
    CASE
      WHEN e.bounce.bouncetype = 'Permanent' AND coalesce(e.bounce.bouncesubtype, '') = 'OnAccountSuppressionList' THEN 'suppressed_bounce'
      WHEN e.bounce.bouncetype = 'Permanent' THEN 'hard_bounce'
      ELSE 'soft_bounce'
    END,
    coalesce(e.mail.messageid, '') || '|' || coalesce(e.bounce.feedbackid, '') || '|' || coalesce(r.emailaddress, '')
  FROM "sesctl"."ses_events" e
  CROSS JOIN UNNEST(e.bounce.bouncedrecipients) AS r(emailaddress, action, status, diagnosticcode)
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Bounce'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Bounce'
  UNION ALL
  SELECT e."sender_identity", coalesce(element_at(element_at(e.mail.tags, 'ses:configuration-set'), 1), ''), substr(e."day", 1, 4) || '-' || substr(e."day", 6, 2) || '-' || substr(e."day", 9, 2),
    CASE WHEN coalesce(e.complaint.complaintsubtype, '') = 'OnAccountSuppressionList' THEN 'suppressed_complaint' ELSE 'complaint' END,
    coalesce(e.mail.messageid, '') || '|' || coalesce(e.complaint.feedbackid, '') || '|' || coalesce(r.emailaddress, '')
  FROM "sesctl"."ses_events" e
  CROSS JOIN UNNEST(e.complaint.complainedrecipients) AS r(emailaddress)
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Complaint'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Complaint'
  UNION ALL
  SELECT e."sender_identity", coalesce(element_at(element_at(e.mail.tags, 'ses:configuration-set'), 1), ''), substr(e."day", 1, 4) || '-' || substr(e."day", 6, 2) || '-' || substr(e."day", 9, 2), 'reject', coalesce(e.mail.messageid, '')
  FROM "sesctl"."ses_events" e
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Reject'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Reject'
  UNION ALL
  SELECT e."sender_identity", coalesce(element_at(element_at(e.mail.tags, 'ses:configuration-set'), 1), ''), substr(e."day", 1, 4) || '-' || substr(e."day", 6, 2) || '-' || substr(e."day", 9, 2), 'delay',
    coalesce(e.mail.messageid, '') || '|' || coalesce(e.deliverydelay."timestamp", '') || '|' || coalesce(r.emailaddress, '')
  FROM "sesctl"."ses_events" e
  CROSS JOIN UNNEST(e.deliverydelay.delayedrecipients) AS r(emailaddress, status, diagnosticcode)
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'DeliveryDelay'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'DeliveryDelay'
  UNION ALL
  SELECT e."sender_identity", coalesce(element_at(element_at(e.mail.tags, 'ses:configuration-set'), 1), ''), substr(e."day", 1, 4) || '-' || substr(e."day", 6, 2) || '-' || substr(e."day", 9, 2), 'rendering_failure', coalesce(e.mail.messageid, '')
  FROM "sesctl"."ses_events" e
  WHERE e."sender_identity" IN ('example.com', 'mail.example.org')
    AND e."event_type" = 'Rendering Failure'
    AND e."day" IN ('2024/03/07', '2024/03/08')
    AND e.eventtype = 'Rendering Failure'
),
unique_items AS (
  SELECT sender_identity, configuration_set, "day", kind,
    row_number() OVER (PARTITION BY kind, event_key ORDER BY "day", sender_identity, configuration_set) AS n_copy
  FROM items
),
counts AS (
  SELECT sender_identity, configuration_set, "day",
    count(CASE WHEN kind = 'send' THEN 1 END) AS sends,
    count(CASE WHEN kind = 'delivery' THEN 1 END) AS deliveries,
    count(CASE WHEN kind = 'hard_bounce' THEN 1 END) AS hard_bounces,
    count(CASE WHEN kind = 'soft_bounce' THEN 1 END) AS soft_bounces,
    count(CASE WHEN kind = 'complaint' THEN 1 END) AS complaints,
    count(CASE WHEN kind = 'reject' THEN 1 END) AS rejects,
    count(CASE WHEN kind = 'delay' THEN 1 END) AS delays,
    count(CASE WHEN kind = 'rendering_failure' THEN 1 END) AS rendering_failures
  FROM unique_items
  WHERE n_copy = 1
  GROUP BY sender_identity, configuration_set, "day"
)
SELECT sender_identity, "day", sends, deliveries, hard_bounces, soft_bounces, complaints, rejects, delays, rendering_failures,
  CASE WHEN sends > 0 THEN CAST(CAST(hard_bounces AS DOUBLE) / sends AS DECIMAL(12, 6)) END AS bounce_rate,
  CASE WHEN sends > 0 THEN CAST(CAST(complaints AS DOUBLE) / sends AS DECIMAL(12, 6)) END AS complaint_rate,
  CASE
    WHEN sends = 0 THEN NULL
    WHEN hard_bounces >= 0.10 * sends THEN 'pause'
    WHEN hard_bounces >= 0.05 * sends THEN 'review'
    ELSE 'ok'
  END AS bounce_status,
  CASE
    WHEN sends = 0 THEN NULL
    WHEN complaints >= 0.005 * sends THEN 'pause'
    WHEN complaints >= 0.001 * sends THEN 'review'
    ELSE 'ok'
  END AS complaint_status,
  configuration_set
FROM counts
ORDER BY "day", sender_identity, configuration_set
LIMIT 100
