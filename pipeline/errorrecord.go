package pipeline

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Error output types (the value of !{firehose:error-output-type}) and the
// errorCode written into each error record. See docs/ARCHITECTURE.md.
const (
	ErrorTypeMetadataExtraction = "metadata-extraction-failed"
	ErrorTypeActivePartitions   = "activePartitionExceeded"
	ErrorTypeRecordTooLarge     = "record-too-large"

	ErrorCodeMetadataExtraction = "DynamicPartitioning.MetadataExtractionFailed"
	ErrorCodeActivePartitions   = "DynamicPartitioning.ActivePartitionsLimitExceeded"
	ErrorCodeRecordTooLarge     = "sesctl.RecordTooLarge"
)

// Messages Firehose is reported to write for metadata-extraction failures
// (facts §2.1 and §2.6, observed on real streams).
const (
	MsgNonJSON        = "Non JSON record provided"
	MsgEmptyKeyValues = "partitionKeys values must not be null or empty"
)

// ErrorTypes lists the error output types sesctl produces, in a fixed order.
var ErrorTypes = []string{ErrorTypeMetadataExtraction, ErrorTypeActivePartitions, ErrorTypeRecordTooLarge}

// ErrorCode returns the errorCode written for an error output type.
func ErrorCode(errorType string) string {
	switch errorType {
	case ErrorTypeMetadataExtraction:
		return ErrorCodeMetadataExtraction
	case ErrorTypeActivePartitions:
		return ErrorCodeActivePartitions
	case ErrorTypeRecordTooLarge:
		return ErrorCodeRecordTooLarge
	}
	return "sesctl." + errorType
}

// ErrorRecord is one line of an error-output object.
type ErrorRecord struct {
	AttemptsMade     int    `json:"attemptsMade"`
	ArrivalTimestamp int64  `json:"arrivalTimestamp"` // epoch milliseconds
	ErrorCode        string `json:"errorCode"`
	ErrorMessage     string `json:"errorMessage"`
	RawData          string `json:"rawData"` // base64 of the record bytes
}

// NewErrorRecord describes a record that went to the error output.
func NewErrorRecord(errorType, message string, arrival time.Time, record []byte) ErrorRecord {
	return ErrorRecord{
		AttemptsMade:     1,
		ArrivalTimestamp: arrival.UnixMilli(),
		ErrorCode:        ErrorCode(errorType),
		ErrorMessage:     message,
		RawData:          base64.StdEncoding.EncodeToString(record),
	}
}

// AppendLine appends the record as one JSON object, keys in the fixed
// order attemptsMade, arrivalTimestamp, errorCode, errorMessage, rawData,
// followed by a newline.
func (e ErrorRecord) AppendLine(dst []byte) []byte {
	dst = append(dst, `{"attemptsMade":`...)
	dst = strconv.AppendInt(dst, int64(e.AttemptsMade), 10)
	dst = append(dst, `,"arrivalTimestamp":`...)
	dst = strconv.AppendInt(dst, e.ArrivalTimestamp, 10)
	dst = append(dst, `,"errorCode":`...)
	dst = appendJSONString(dst, e.ErrorCode)
	dst = append(dst, `,"errorMessage":`...)
	dst = appendJSONString(dst, e.ErrorMessage)
	dst = append(dst, `,"rawData":"`...)
	dst = append(dst, e.RawData...) // base64 needs no escaping
	return append(dst, "\"}\n"...)
}

// Decode parses rawData back into the record bytes.
func (e ErrorRecord) Decode() ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(e.RawData)
	if err != nil {
		return nil, fmt.Errorf("decode rawData: %w", err)
	}
	return b, nil
}

// ErrorType maps the record's errorCode back to its error output type.
func (e ErrorRecord) ErrorType() string {
	for _, t := range ErrorTypes {
		if ErrorCode(t) == e.ErrorCode {
			return t
		}
	}
	return ""
}

// appendJSONString appends s as a JSON string without HTML escaping, so a
// message such as "a <b>" stays readable.
func appendJSONString(dst []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil { // a string always encodes; stay valid anyway
		return append(dst, `""`...)
	}
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
