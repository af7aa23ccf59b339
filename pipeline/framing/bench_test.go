package framing

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"testing"
)

// sesLike returns n SES-like JSON records of about 1 KB each.
func sesLike(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = fmt.Appendf(nil, `{"eventType":"Delivery","mail":{"timestamp":"2026-11-22T10:%02d:00.000Z","source":"Sender <sender@example.com>","sourceArn":"arn:aws:ses:us-east-1:123456789012:identity/example.com","sendingAccountId":"123456789012","messageId":"0100018c-%08d-example-000000","destination":["recipient@example.com"],"headersTruncated":false,"headers":[{"name":"From","value":"sender@example.com"},{"name":"To","value":"recipient@example.com"},{"name":"Subject","value":"Message \"%d\" with {braces} and [brackets]"}],"commonHeaders":{"from":["sender@example.com"],"to":["recipient@example.com"],"messageId":"0100018c-%08d","subject":"Message %d"},"tags":{"ses:configuration-set":["events"],"ses:source-ip":["192.0.2.1"],"ses:from-domain":["example.com"],"ses:caller-identity":["ses-user"]}},"delivery":{"timestamp":"2026-11-22T10:%02d:01.000Z","processingTimeMillis":546,"recipients":["recipient@example.com"],"smtpResponse":"250 2.6.0 Message received","reportingMTA":"a8-70.smtp-out.amazonses.com"}}`,
			i%60, i, i, i, i, i%60)
	}
	return out
}

func drain(b *testing.B, input []byte) int {
	r, err := NewReader("bench", bytes.NewReader(input))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func benchInput(b *testing.B, input []byte, want int) {
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for b.Loop() {
		if n := drain(b, input); n != want {
			b.Fatalf("%d records, want %d", n, want)
		}
	}
}

func BenchmarkReaderJSONL(b *testing.B) {
	recs := sesLike(10000)
	benchInput(b, append(bytes.Join(recs, []byte("\n")), '\n'), len(recs))
}

func BenchmarkReaderConcatenated(b *testing.B) {
	recs := sesLike(10000)
	benchInput(b, bytes.Join(recs, nil), len(recs))
}

func BenchmarkReaderPretty(b *testing.B) {
	recs := sesLike(2000)
	var buf bytes.Buffer
	for _, r := range recs {
		if err := json.Indent(&buf, r, "", "  "); err != nil {
			b.Fatal(err)
		}
		buf.WriteByte('\n')
	}
	benchInput(b, buf.Bytes(), len(recs))
}

func BenchmarkReaderJSONLGzip(b *testing.B) {
	recs := sesLike(10000)
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(append(bytes.Join(recs, []byte("\n")), '\n'))
	_ = w.Close()
	// Throughput is reported per uncompressed byte.
	b.SetBytes(int64(len(recs) * len(recs[0])))
	for b.Loop() {
		if n := drain(b, buf.Bytes()); n != len(recs) {
			b.Fatalf("%d records", n)
		}
	}
}
