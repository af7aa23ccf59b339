CREATE EXTERNAL TABLE IF NOT EXISTS `sesctl`.`ses_events_errors` (
  `attemptsmade` bigint COMMENT 'delivery attempts',
  `arrivaltimestamp` bigint COMMENT 'when Firehose received the record, epoch milliseconds',
  `errorcode` string COMMENT 'e.g. DynamicPartitioning.MetadataExtractionFailed',
  `errormessage` string COMMENT 'why the record could not be placed',
  `rawdata` string COMMENT 'the record, base64'
)
PARTITIONED BY (
  `error_output_type` string,
  `day` string
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://sesctl-events-123456789012/errors/'
TBLPROPERTIES (
  'EXTERNAL'='TRUE',
  'classification'='json',
  'projection.enabled'='true',
  'projection.day.format'='yyyy/MM/dd',
  'projection.day.interval'='1',
  'projection.day.interval.unit'='DAYS',
  'projection.day.range'='NOW-90DAYS,NOW',
  'projection.day.type'='date',
  'projection.error_output_type.type'='enum',
  'projection.error_output_type.values'='metadata-extraction-failed,activePartitionExceeded,record-too-large,partitioning-failed,processing-failed,format-conversion-failed',
  'storage.location.template'='s3://sesctl-events-123456789012/errors/${error_output_type}/${day}/'
);
