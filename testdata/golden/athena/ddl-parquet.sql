CREATE EXTERNAL TABLE IF NOT EXISTS `sesctl`.`ses_events` (
  `eventtype` string COMMENT 'Bounce, Complaint, Delivery, Send, Reject, Open, Click, Rendering Failure, DeliveryDelay or Subscription',
  `mail` struct<`timestamp`:string,source:string,sourcearn:string,sendingaccountid:string,messageid:string,destination:array<string>,headerstruncated:boolean,headers:array<struct<name:string,value:string>>,commonheaders:struct<`from`:array<string>,`to`:array<string>,cc:array<string>,bcc:array<string>,replyto:array<string>,returnpath:string,`date`:string,messageid:string,subject:string>,tags:map<string,array<string>>> COMMENT 'the message that produced the event',
  `bounce` struct<bouncetype:string,bouncesubtype:string,bouncedrecipients:array<struct<emailaddress:string,action:string,status:string,diagnosticcode:string>>,`timestamp`:string,feedbackid:string,reportingmta:string> COMMENT 'set when eventtype = "Bounce"',
  `complaint` struct<complainedrecipients:array<struct<emailaddress:string>>,`timestamp`:string,feedbackid:string,complaintsubtype:string,useragent:string,complaintfeedbacktype:string,arrivaldate:string> COMMENT 'set when eventtype = "Complaint"',
  `delivery` struct<`timestamp`:string,processingtimemillis:bigint,recipients:array<string>,smtpresponse:string,reportingmta:string> COMMENT 'set when eventtype = "Delivery"',
  `reject` struct<reason:string> COMMENT 'set when eventtype = "Reject"',
  `open` struct<ipaddress:string,`timestamp`:string,useragent:string> COMMENT 'set when eventtype = "Open"',
  `click` struct<ipaddress:string,`timestamp`:string,useragent:string,link:string,linktags:map<string,array<string>>> COMMENT 'set when eventtype = "Click"',
  `failure` struct<templatename:string,errormessage:string> COMMENT 'set when eventtype = "Rendering Failure"',
  `deliverydelay` struct<`timestamp`:string,delaytype:string,expirationtime:string,reportingmta:string,delayedrecipients:array<struct<emailaddress:string,status:string,diagnosticcode:string>>> COMMENT 'set when eventtype = "DeliveryDelay"',
  `subscription` struct<contactlist:string,`timestamp`:string,source:string,newtopicpreferences:struct<unsubscribeall:boolean,topicsubscriptionstatus:array<struct<topicname:string,subscriptionstatus:string>>>,oldtopicpreferences:struct<unsubscribeall:boolean,topicsubscriptionstatus:array<struct<topicname:string,subscriptionstatus:string>>>> COMMENT 'set when eventtype = "Subscription"'
)
PARTITIONED BY (
  `sender_identity` string,
  `event_type` string,
  `day` string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://sesctl-events-123456789012/events/'
TBLPROPERTIES (
  'EXTERNAL'='TRUE',
  'classification'='parquet',
  'projection.enabled'='true',
  'parquet.compression'='SNAPPY',
  'projection.day.format'='yyyy/MM/dd',
  'projection.day.interval'='1',
  'projection.day.interval.unit'='DAYS',
  'projection.day.range'='NOW-90DAYS,NOW',
  'projection.day.type'='date',
  'projection.event_type.type'='enum',
  'projection.event_type.values'='Bounce,Complaint,Delivery,Send,Reject,Open,Click,Rendering Failure,DeliveryDelay,Subscription',
  'projection.sender_identity.type'='injected',
  'storage.location.template'='s3://sesctl-events-123456789012/events/${sender_identity}/${event_type}/${day}/'
);
