package sink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3API is the part of the S3 client the sink uses.
type S3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// ContentType is the Content-Type of every object written to S3, as
// Firehose delivers them.
const ContentType = "application/octet-stream"

// S3 writes objects to a bucket. Each object is buffered in a temporary file
// (objects can be 128 MiB, so not in memory) and sent by Commit in one
// PutObject, which S3 applies atomically: an interrupted run leaves no
// partial object. Keys are keyPrefix + key, verbatim.
type S3 struct {
	client S3API
	bucket string
	prefix string
	// TempDir holds the buffering files; "" means os.TempDir().
	TempDir string
}

// NewS3 returns a sink writing to bucket under keyPrefix.
func NewS3(client S3API, bucket, keyPrefix string) *S3 {
	return &S3{client: client, bucket: bucket, prefix: keyPrefix}
}

// Describe returns "s3://bucket/prefix".
func (s *S3) Describe() string { return "s3://" + s.bucket + "/" + s.prefix }

// Create starts the object keyPrefix+key.
func (s *S3) Create(ctx context.Context, key string) (Object, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if key == "" {
		return nil, errors.New("empty object key")
	}
	f, err := os.CreateTemp(s.TempDir, "sesctl-s3-*")
	if err != nil {
		return nil, fmt.Errorf("buffer %s: %w", key, err)
	}
	return &s3Object{
		ctx: ctx, s: s, key: s.prefix + key,
		f: f, w: takeWriter(f),
	}, nil
}

type s3Object struct {
	ctx  context.Context
	s    *S3
	key  string
	f    *os.File
	w    *bufio.Writer
	done bool
}

func (o *s3Object) Write(p []byte) (int, error) {
	if o.done {
		return 0, errClosed
	}
	n, err := o.w.Write(p)
	if err != nil {
		return n, fmt.Errorf("buffer s3://%s/%s: %w", o.s.bucket, o.key, err)
	}
	return n, nil
}

// Commit uploads the buffered object with one PutObject and removes the
// temporary file, whether the upload succeeded or not.
func (o *s3Object) Commit() error {
	if o.done {
		return errClosed
	}
	o.done = true
	defer o.cleanup()
	err := o.w.Flush()
	giveWriter(o.w)
	o.w = nil
	if err != nil {
		return fmt.Errorf("buffer s3://%s/%s: %w", o.s.bucket, o.key, err)
	}
	size, err := o.f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = o.f.Seek(0, io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("buffer s3://%s/%s: %w", o.s.bucket, o.key, err)
	}
	_, err = o.s.client.PutObject(o.ctx, &s3.PutObjectInput{
		Bucket:        aws.String(o.s.bucket),
		Key:           aws.String(o.key),
		Body:          o.f,
		ContentLength: aws.Int64(size),
		ContentType:   aws.String(ContentType),
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", o.s.bucket, o.key, err)
	}
	return nil
}

// Abort discards the buffered object; nothing is sent.
func (o *s3Object) Abort() error {
	if o.done {
		return nil
	}
	o.done = true
	return o.cleanup()
}

func (o *s3Object) cleanup() error {
	if o.w != nil {
		giveWriter(o.w)
		o.w = nil
	}
	_ = o.f.Close()
	if err := os.Remove(o.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove buffer of s3://%s/%s: %w", o.s.bucket, o.key, err)
	}
	return nil
}

// NewS3Client returns an S3 client for cfg. pathStyle selects path-style
// addressing (http://endpoint/bucket/key), which MinIO and most
// S3-compatible servers need; DefaultPathStyle gives sesctl's default.
func NewS3Client(cfg aws.Config, pathStyle bool) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle })
}

// DefaultPathStyle reports whether sesctl uses path-style addressing for
// cfg: yes when an endpoint URL is set (--endpoint-url), no for AWS itself.
func DefaultPathStyle(cfg aws.Config) bool {
	return cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != ""
}

// ParseS3URL splits "s3://bucket/prefix" into the bucket and the key prefix.
// A non-empty prefix always ends with "/": s3://b/lake and s3://b/lake/
// both mean the keys under "lake/". The rest of the URL is taken literally
// (no %-decoding, "?" and "#" are key characters).
func ParseS3URL(s string) (bucket, prefix string, err error) {
	const scheme = "s3://"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return "", "", fmt.Errorf("%q is not an s3:// URL", s)
	}
	rest := s[len(scheme):]
	bucket, prefix, _ = strings.Cut(rest, "/")
	if err := checkBucket(bucket); err != nil {
		return "", "", fmt.Errorf("%q: %w", s, err)
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return bucket, prefix, nil
}

// checkBucket applies the general purpose bucket naming rules: 3 to 63
// characters, lowercase letters, digits, dots and hyphens, starting and
// ending with a letter or digit.
func checkBucket(b string) error {
	if b == "" {
		return errors.New("no bucket name")
	}
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q must be 3 to 63 characters long", b)
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && c != '.' && c != '-' {
			return fmt.Errorf("bucket name %q may only hold lowercase letters, digits, dots and hyphens", b)
		}
		if !alnum && (i == 0 || i == len(b)-1) {
			return fmt.Errorf("bucket name %q must start and end with a letter or digit", b)
		}
	}
	if strings.Contains(b, "..") {
		return fmt.Errorf("bucket name %q must not contain two adjacent dots", b)
	}
	return nil
}
