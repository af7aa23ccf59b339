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
	// ErrorTypeFormatConversion is Firehose's documented error output type
	// for records record format conversion (--format parquet) rejects.
	ErrorTypeFormatConversion = "format-conversion-failed"

	ErrorCodeMetadataExtraction = "DynamicPartitioning.MetadataExtractionFailed"
	ErrorCodeActivePartitions   = "DynamicPartitioning.ActivePartitionsLimitExceeded"
	ErrorCodeRecordTooLarge     = "sesctl.RecordTooLarge"
	// Format-conversion error codes. The Firehose guide documents the
	// error-record layout but no code list; these are the codes a
	// Firehose-compatibility test suite (Floci) asserts for a record that
	// does not match the table schema and for one that is not JSON.
	ErrorCodeFormatMalformed = "DataFormatConversion.MalformedData"
	ErrorCodeFormatParse     = "DataFormatConversion.ParseError"
)

// Messages Firehose is reported to write for metadata-extraction failures
// (facts §2.1 and §2.6, observed on real streams).
const (
	MsgNonJSON        = "Non JSON record provided"
	MsgEmptyKeyValues = "partitionKeys values must not be null or empty"
)

// ErrorTypes lists the error output types dynamic partitioning produces in
// sesctl, in a fixed order.
var ErrorTypes = []string{ErrorTypeMetadataExtraction, ErrorTypeActivePartitions, ErrorTypeRecordTooLarge}

// OutputErrorTypes are all the error output types a replay can write:
// ErrorTypes, then format-conversion-failed (--format parquet only).
var OutputErrorTypes = append(ErrorTypes[:len(ErrorTypes):len(ErrorTypes)], ErrorTypeFormatConversion)

// ErrorCode returns the errorCode written for an error output type.
func ErrorCode(errorType string) string {
	switch errorType {
	case ErrorTypeMetadataExtraction:
		return ErrorCodeMetadataExtraction
	case ErrorTypeActivePartitions:
		return ErrorCodeActivePartitions
	case ErrorTypeRecordTooLarge:
		return ErrorCodeRecordTooLarge
	case ErrorTypeFormatConversion:
		return ErrorCodeFormatMalformed
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
	return newErrorRecordCode(ErrorCode(errorType), message, arrival, record)
}

func newErrorRecordCode(code, message string, arrival time.Time, record []byte) ErrorRecord {
	return ErrorRecord{
		AttemptsMade:     1,
		ArrivalTimestamp: arrival.UnixMilli(),
		ErrorCode:        code,
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
	if e.ErrorCode == ErrorCodeFormatParse {
		return ErrorTypeFormatConversion
	}
	for _, t := range OutputErrorTypes {
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
