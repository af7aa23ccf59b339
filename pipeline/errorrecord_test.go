package pipeline

import (
	"encoding/json"
	"testing"
	"time"
)

func TestErrorRecordLine(t *testing.T) {
	at := time.Date(2024, 2, 16, 5, 6, 7, 891_000_000, time.UTC)
	cases := []struct {
		name    string
		errType string
		msg     string
		raw     string
		want    string
	}{
		{
			"metadata extraction", ErrorTypeMetadataExtraction, MsgNonJSON, "not json",
			`{"attemptsMade":1,"arrivalTimestamp":1708059967891,"errorCode":"DynamicPartitioning.MetadataExtractionFailed","errorMessage":"Non JSON record provided","rawData":"bm90IGpzb24="}` + "\n",
		},
		{
			"message with quotes and html", ErrorTypeActivePartitions, `key "a<b>" & more`, `{}`,
			`{"attemptsMade":1,"arrivalTimestamp":1708059967891,"errorCode":"DynamicPartitioning.ActivePartitionsLimitExceeded","errorMessage":"key \"a<b>\" & more","rawData":"e30="}` + "\n",
		},
		{
			"too large", ErrorTypeRecordTooLarge, "big", "",
			`{"attemptsMade":1,"arrivalTimestamp":1708059967891,"errorCode":"sesctl.RecordTooLarge","errorMessage":"big","rawData":""}` + "\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := NewErrorRecord(c.errType, c.msg, at, []byte(c.raw))
			got := string(rec.AppendLine(nil))
			if got != c.want {
				t.Fatalf("line:\n got %s\nwant %s", got, c.want)
			}
			var back ErrorRecord
			if err := json.Unmarshal([]byte(got), &back); err != nil {
				t.Fatal(err)
			}
			raw, err := back.Decode()
			if err != nil || string(raw) != c.raw || back.ErrorType() != c.errType || back.ErrorMessage != c.msg {
				t.Errorf("round trip: %+v raw=%q err=%v", back, raw, err)
			}
		})
	}
}

func TestErrorCodeUnknownType(t *testing.T) {
	if got := ErrorCode("partitioning-failed"); got != "sesctl.partitioning-failed" {
		t.Errorf("ErrorCode = %q", got)
	}
}
