package athena

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sesctl/sesctl/pipeline/sink"
)

// maxPartitions bounds how many partition prefixes one query may expand
// to (days x identities x event types x other keys).
const maxPartitions = 200000

// Lister lists the next path segment under a key prefix: every s such that
// some object key starts with keyPrefix + s + "/" and s contains no "/".
type Lister interface {
	Children(ctx context.Context, keyPrefix string) ([]string, error)
}

// partition is one concrete partition: its key prefix and column values.
type partition struct {
	prefix string
	values map[string]string
}

// enumerate expands the layout into concrete partitions. Columns with
// values in fixed take those values; identity and injected columns
// without are listed with ls. When stopAfterListed is set, expansion stops
// after the last listed column (enough to learn the injected values).
func (l *Layout) enumerate(ctx context.Context, ls Lister, fixed map[string][]string, stopAfterListed bool) ([]partition, error) {
	last := len(l.segments)
	if stopAfterListed {
		last = 0
		for i, s := range l.segments {
			if s.col != nil && fixed[s.col.Name] == nil {
				last = i + 1
			}
		}
	}
	parts := []partition{{values: map[string]string{}}}
	for i, s := range l.segments[:last] {
		var err error
		switch {
		case s.col == nil:
			for k := range parts {
				parts[k].prefix += s.literal
			}
		case fixed[s.col.Name] != nil:
			parts, err = expand(parts, s.col.Name, func(partition) ([]string, error) { return fixed[s.col.Name], nil })
		default:
			suffix, lerr := l.listSuffix(i)
			if lerr != nil {
				return nil, lerr
			}
			parts, err = expand(parts, s.col.Name, func(p partition) ([]string, error) {
				return listValues(ctx, ls, p.prefix, suffix)
			})
		}
		if err != nil {
			return nil, err
		}
	}
	return parts, nil
}

// expand multiplies parts by the values of column name; a column seen
// before keeps its value (a key used twice in the prefix).
func expand(parts []partition, name string, values func(partition) ([]string, error)) ([]partition, error) {
	var out []partition
	for _, p := range parts {
		if v, ok := p.values[name]; ok {
			p.prefix += v
			out = append(out, p)
			continue
		}
		vals, err := values(p)
		if err != nil {
			return nil, err
		}
		for _, v := range vals {
			if len(out) >= maxPartitions {
				return nil, fmt.Errorf("the query would read more than %d partitions; narrow the days or identities", maxPartitions)
			}
			q := partition{prefix: p.prefix + v, values: make(map[string]string, len(p.values)+1)}
			for k, x := range p.values {
				q.values[k] = x
			}
			q.values[name] = v
			out = append(out, q)
		}
	}
	return out, nil
}

// listSuffix is the literal that follows segment i up to the next "/":
// listed names must end with it.
func (l *Layout) listSuffix(i int) (string, error) {
	if i+1 >= len(l.segments) {
		return "", fmt.Errorf("partition column %q ends the prefix, so its values cannot be listed", l.segments[i].col.Name)
	}
	next := l.segments[i+1]
	if next.col != nil {
		return "", fmt.Errorf("partition columns %q and %q share a path segment, so their values cannot be listed; pass the values explicitly", l.segments[i].col.Name, next.col.Name)
	}
	j := strings.Index(next.literal, "/")
	if j < 0 {
		return "", fmt.Errorf("partition column %q is not followed by a / , so its values cannot be listed", l.segments[i].col.Name)
	}
	return next.literal[:j], nil
}

func listValues(ctx context.Context, ls Lister, prefix, suffix string) ([]string, error) {
	names, err := ls.Children(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if v, ok := strings.CutSuffix(n, suffix); ok && v != "" {
			out = append(out, v)
		}
	}
	return sortedUnique(out), nil
}

// timeValues returns the distinct values the time column takes over the
// days from..to (inclusive), read in loc.
func timeValues(c *layoutColumn, from, to time.Time, loc *time.Location) ([]string, error) {
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	if !start.Before(end) {
		return nil, fmt.Errorf("the first day (%s) is after the last (%s)", from.Format(time.DateOnly), to.Format(time.DateOnly))
	}
	step := map[string]time.Duration{"HOURS": time.Hour, "MINUTES": time.Minute, "SECONDS": time.Second}[c.Time.Unit()]
	var out []string
	for t := start; t.Before(end); {
		v := c.Time.Format(t)
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
		if len(out) > maxPartitions {
			return nil, fmt.Errorf("%s to %s is more than %d %s partitions", from.Format(time.DateOnly), to.Format(time.DateOnly), maxPartitions, c.Name)
		}
		if step == 0 {
			t = t.AddDate(0, 0, 1) // day, week, month and year partitions: step a day
		} else {
			t = t.Add(step)
		}
	}
	return out, nil
}

// DirLister lists a local lake written by sesctl replay (sink.LocalPath
// encoding).
type DirLister struct{ Root string }

// dirOf returns the local directory holding keyPrefix's last segment and
// the part of that segment already given.
func (d DirLister) dirOf(keyPrefix string) (dir, namePrefix string, err error) {
	i := strings.LastIndex(keyPrefix, "/")
	if i < 0 {
		return d.Root, keyPrefix, nil
	}
	p, err := sink.LocalPath(d.Root, keyPrefix[:i])
	return p, keyPrefix[i+1:], err
}

// Children lists the subdirectories under keyPrefix.
func (d DirLister) Children(_ context.Context, keyPrefix string) ([]string, error) {
	entries, namePrefix, err := d.read(keyPrefix)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if name, ok := decodeName(e.Name()); ok && strings.HasPrefix(name, namePrefix) {
			out = append(out, name[len(namePrefix):])
		}
	}
	return out, nil
}

func (d DirLister) read(keyPrefix string) ([]os.DirEntry, string, error) {
	dir, namePrefix, err := d.dirOf(keyPrefix)
	if err != nil {
		return nil, "", err
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, namePrefix, nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("list %s: %w", dir, err)
	}
	return entries, namePrefix, nil
}

// LocalFile is an object of the lake on disk.
type LocalFile struct {
	Path string
	Size int64
}

// Files lists the objects directly under keyPrefix, skipping the names
// Athena treats as hidden (starting with . or _) and sesctl's temporary
// files.
func (d DirLister) Files(keyPrefix string) ([]LocalFile, error) {
	entries, namePrefix, err := d.read(keyPrefix)
	if err != nil {
		return nil, err
	}
	dir, _, _ := d.dirOf(keyPrefix)
	var out []LocalFile
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		name, ok := decodeName(e.Name())
		if !ok || !strings.HasPrefix(name, namePrefix) || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", e.Name(), err)
		}
		out = append(out, LocalFile{Path: filepath.Join(dir, e.Name()), Size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// decodeName reverses sink.LocalPath's encoding of one path element;
// names it does not produce (hidden or temporary files) are rejected.
func decodeName(name string) (string, bool) {
	key, err := sink.KeyFromLocalPath(name)
	if err != nil || strings.Contains(key, "/") {
		return "", false
	}
	return key, true
}

// S3Lister lists a lake in S3 with ListObjectsV2 and a "/" delimiter.
type S3Lister struct {
	Client S3ListAPI
	Bucket string
	Root   string // key prefix of the lake inside the bucket ("" or "path/")
	// Calls counts ListObjectsV2 requests (for progress and tests).
	Calls int
}

// NewS3Lister lists the lake at location (s3://bucket/ or s3://bucket/root/).
func NewS3Lister(client S3ListAPI, location string) (*S3Lister, error) {
	loc, err := normalizeLocation(location)
	if err != nil {
		return nil, err
	}
	bucket, root, _ := strings.Cut(strings.TrimPrefix(loc, "s3://"), "/")
	return &S3Lister{Client: client, Bucket: bucket, Root: root}, nil
}

// Children returns the common prefixes under keyPrefix, all pages.
func (s *S3Lister) Children(ctx context.Context, keyPrefix string) ([]string, error) {
	full := s.Root + keyPrefix
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket), Prefix: aws.String(full), Delimiter: aws.String("/")}
	var out []string
	for {
		s.Calls++
		page, err := s.Client.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", s.Bucket, full, err)
		}
		for _, cp := range page.CommonPrefixes {
			name := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), full), "/")
			if name != "" && !strings.Contains(name, "/") {
				out = append(out, name)
			}
		}
		if !aws.ToBool(page.IsTruncated) || aws.ToString(page.NextContinuationToken) == "" {
			return out, nil
		}
		in.ContinuationToken = page.NextContinuationToken
	}
}
