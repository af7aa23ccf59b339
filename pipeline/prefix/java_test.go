package prefix

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the same zones on every machine
)

// The golden file holds outputs of java.time's DateTimeFormatter (the
// formatter Firehose documents), produced by testdata/Oracle.java with
// `go test ./pipeline/prefix -run TestJavaGolden -update` on a machine with
// a JDK. The expected values come from Java, never from this package.
var update = flag.Bool("update", false, "regenerate testdata/java-golden.tsv with java (needs a JDK)")

const goldenPath = "testdata/java-golden.tsv"

type javaCase struct {
	pattern string
	sec     int64
	nano    int
	zone    string
	want    string
}

func (c javaCase) instant(t testing.TB) time.Time {
	t.Helper()
	return time.Unix(c.sec, int64(c.nano)).In(zoneFor(t, c.zone))
}

func zoneFor(t testing.TB, zone string) *time.Location {
	t.Helper()
	if zone[0] == '+' || zone[0] == '-' {
		sign := 1
		if zone[0] == '-' {
			sign = -1
		}
		secs := 0
		for i, part := range strings.Split(zone[1:], ":") {
			n, err := strconv.Atoi(part)
			if err != nil {
				t.Fatalf("bad offset zone %q", zone)
			}
			secs += n * []int{3600, 60, 1}[i]
		}
		return time.FixedZone(zone, sign*secs)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatalf("zone %q: %v", zone, err)
	}
	return loc
}

// goldenPatterns covers every supported letter and count, the Firehose doc
// examples and quoting.
var goldenPatterns = []string{
	"yyyy/MM/dd/HH/", "yyyy", "yyyy/MM/dd", "'year='yyyy'/month='MM'/day='dd'/hour='HH", "yyyy'-'MM'-'dd",
	"yyyy/MM/DDD/HH/", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyyMMddHHmmss",
	"y", "yy", "yyy", "yyyyy", "u", "uu", "uuu", "uuuu", "uuuuu", "Y", "YY", "YYY", "YYYY", "YYYYY",
	"M", "MM", "MMM", "MMMM", "MMMMM", "L", "LL", "Q", "QQ", "QQQ", "QQQQ", "QQQQQ", "q", "qq",
	"d", "dd", "D", "DDD", "E", "EE", "EEE", "EEEE", "EEEEE", "e", "ee", "eee", "eeee", "eeeee", "c",
	"w", "ww", "W", "a", "h", "hh", "K", "KK", "k", "kk", "H", "HH", "m", "mm", "s", "ss",
	"S", "SS", "SSS", "SSSS", "SSSSSS", "SSSSSSSSS", "A", "AAAAAAAA", "AAAAAAAAAA", "n", "nnnnnnnnn", "N", "NNNNNNNNNNNNNN",
	"G", "GG", "GGG", "GGGG",
	"X", "XX", "XXX", "XXXX", "XXXXX", "x", "xx", "xxx", "xxxx", "xxxxx", "Z", "ZZ", "ZZZ", "ZZZZ", "ZZZZZ", "O", "OOOO",
	"''", "'it''s' yyyy", "''''", "[yyyy]-MM", "yyyy[-MM[-dd]]", "hh:mm a", "EEEE, MMMM d, yyyy", "é yyyy ü",
	"yyyy-'W'ww-e", "YYYY-'W'ww-e",
	// Patterns Java rejects: sesctl must reject them too.
	"aa", "EEEEEE", "ddd", "'open", "yyyy]", "#", "{", "}", "b", "SSSSSSSSSS", "OO", "XXXXXX", "cc", "www", "WW", "MMMMMM", "HHH", "yyyyyyyyyyyyyyyyyyyy",
}

var goldenInstants = []string{
	"2019-12-30T14:05:09.123456789Z", "2021-01-01T00:00:00Z", "2024-02-29T23:59:59.999Z", "2018-08-27T10:30:00Z",
	"1999-12-31T12:00:00.5Z", "2026-07-13T14:00:00Z", "2024-03-10T07:30:00.000001Z",
}

// farInstants are outside the range where tz databases agree; UTC and fixed
// offsets only.
var farInstants = []string{"0009-03-04T05:06:07Z", "+12345-01-01T00:00:00Z", "-0044-03-15T12:00:00Z", "0000-06-01T00:00:00Z"}

var goldenZones = []string{"UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "America/New_York", "Asia/Tokyo", "+05:30:15", "-00:00:30"}

func parseInstant(t testing.TB, s string) time.Time {
	t.Helper()
	sign := 1
	switch s[0] {
	case '+':
		s = s[1:]
	case '-':
		sign, s = -1, s[1:]
	}
	i := strings.IndexByte(s, '-')
	year, err := strconv.Atoi(s[:i])
	if err != nil {
		t.Fatal(err)
	}
	rest, err := time.Parse(time.RFC3339Nano, "2000"+s[i:])
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(sign*year, rest.Month(), rest.Day(), rest.Hour(), rest.Minute(), rest.Second(), rest.Nanosecond(), time.UTC)
}

func goldenInputs(t testing.TB) []javaCase {
	var cases []javaCase
	add := func(p, inst, zone string) {
		ti := parseInstant(t, inst)
		cases = append(cases, javaCase{pattern: p, sec: ti.Unix(), nano: ti.Nanosecond(), zone: zone})
	}
	for pi, p := range goldenPatterns {
		for ii, inst := range goldenInstants {
			add(p, inst, "UTC")
			add(p, inst, goldenZones[1+(pi+ii)%(len(goldenZones)-1)])
		}
		for _, inst := range farInstants {
			add(p, inst, "UTC")
		}
	}
	for _, z := range goldenZones { // every offset letter in every zone
		for _, p := range []string{"XXXXX xxxxx ZZZZZ OOOO O X x Z ZZZZ XXX XX xx"} {
			add(p, "2024-01-15T12:00:00Z", z)
			add(p, "2024-07-15T12:00:00Z", z)
		}
	}
	// Week-based fields around every New Year from 1999 to 2041.
	for y := 1999; y <= 2041; y++ {
		for d := -11; d <= 10; d++ {
			ti := time.Date(y, time.January, 1+d, 12, 0, 0, 0, time.UTC)
			cases = append(cases, javaCase{pattern: "YYYY ww w e ee eee c W E YY yyyy-MM-dd", sec: ti.Unix(), zone: "UTC"})
		}
	}
	return cases
}

func runOracle(t testing.TB, cases []javaCase) []javaCase {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not on PATH: the Java differential check needs a JDK (the golden-file test still runs)")
	}
	var in bytes.Buffer
	for _, c := range cases {
		fmt.Fprintf(&in, "%s\t%d\t%d\t%s\n", c.pattern, c.sec, c.nano, c.zone)
	}
	cmd := exec.Command(java, filepath.Join("testdata", "Oracle.java"))
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java Oracle.java: %v\n%s", err, stderr.String())
	}
	got := readCases(t, out)
	if len(got) != len(cases) {
		t.Fatalf("oracle returned %d lines for %d cases", len(got), len(cases))
	}
	return got
}

func readCases(t testing.TB, data []byte) []javaCase {
	t.Helper()
	var cases []javaCase
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 5 {
			t.Fatalf("bad golden line %q", sc.Text())
		}
		sec, err1 := strconv.ParseInt(f[1], 10, 64)
		nano, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("bad golden line %q", sc.Text())
		}
		cases = append(cases, javaCase{pattern: f[0], sec: sec, nano: nano, zone: f[3], want: f[4]})
	}
	return cases
}

// checkJavaCase compares one Java result with this package's.
func checkJavaCase(t *testing.T, c javaCase) {
	t.Helper()
	f, err := CompileTimeFormat(c.pattern)
	if strings.HasPrefix(c.want, "ERR ") {
		if err == nil {
			t.Errorf("pattern %q: Java rejects it (%s), sesctl compiled it", c.pattern, c.want)
		}
		return
	}
	if err != nil {
		t.Errorf("pattern %q: Java formats it, sesctl refused: %v", c.pattern, err)
		return
	}
	ti := c.instant(t)
	if got := f.Format(ti); got != c.want {
		t.Errorf("pattern %q at %s (%s): got %q, Java %q", c.pattern, ti.Format(time.RFC3339Nano), c.zone, got, c.want)
		return
	}
	if !f.hasYear() || (ti.Year() < 1 && !strings.ContainsAny(c.pattern, "Gu")) {
		return // no year, or a BC year printed without its era
	}
	if !hasFullYear(f) && (ti.Year() < 2001 || ti.Year() > 2098) {
		return // two-digit years read as 2000-2099, as in Java
	}
	back, err := f.ParseInLocation(c.want, ti.Location())
	if err != nil && strings.Contains(err.Error(), "too ambiguous") {
		return // several adjacent variable-width numbers: a bounded refusal
	}
	if err != nil {
		t.Errorf("pattern %q: Parse(%q): %v", c.pattern, c.want, err)
		return
	}
	if again := f.Format(back); again != c.want {
		t.Errorf("pattern %q: Parse(%q) = %s formats as %q", c.pattern, c.want, back, again)
	}
}

func hasFullYear(f *TimeFormat) bool {
	for _, el := range f.elems {
		if el.kind == kNumber && (el.field == fYear || el.field == fYearOfEra || el.field == fWeekYear) {
			return true
		}
	}
	return false
}

func TestJavaGolden(t *testing.T) {
	if *update {
		cases := runOracle(t, goldenInputs(t))
		var b bytes.Buffer
		for _, c := range cases {
			fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%s\n", c.pattern, c.sec, c.nano, c.zone, c.want)
		}
		if err := os.WriteFile(goldenPath, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	cases := readCases(t, data)
	if len(cases) < 1000 {
		t.Fatalf("golden file has only %d cases", len(cases))
	}
	for _, c := range cases {
		checkJavaCase(t, c)
	}
}

// TestJavaDifferential formats random patterns at random instants with both
// Java and sesctl. It runs where a JDK is installed.
func TestJavaDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a JVM")
	}
	// PREFIX_JAVA_CASES=n and PREFIX_JAVA_SEED=s run a deeper check.
	n, _ := strconv.Atoi(os.Getenv("PREFIX_JAVA_CASES"))
	if n <= 0 {
		n = 3000
	}
	seed, _ := strconv.ParseUint(os.Getenv("PREFIX_JAVA_SEED"), 10, 64)
	r := rand.New(rand.NewPCG(1+seed, 2))
	tokens := []string{"y", "yy", "yyyy", "u", "uuuu", "Y", "YY", "YYYY", "M", "MM", "MMM", "MMMM", "d", "dd", "D", "DDD",
		"E", "EEEE", "e", "ee", "eee", "c", "w", "ww", "W", "Q", "QQQ", "QQQQ", "a", "h", "hh", "K", "k", "kk", "H", "HH",
		"m", "mm", "s", "ss", "S", "SSS", "SSSSSS", "A", "n", "N", "G", "GGGG", "X", "XXX", "x", "xx", "Z", "ZZZZ", "ZZZZZ",
		"O", "OOOO", "/", "-", ":", "'='", "''", " ", "'lit'", "_", "."}
	zones := []string{"UTC", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "Europe/London", "America/Los_Angeles", "+14:00", "-09:30"}
	var cases []javaCase
	for range n {
		var p strings.Builder
		for range 1 + r.IntN(6) {
			tok := tokens[r.IntN(len(tokens))]
			if s := p.String(); s != "" && s[len(s)-1] == tok[0] {
				p.WriteByte('/') // keep runs of one letter as generated
			}
			p.WriteString(tok)
		}
		sec := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix() + r.Int64N(200*365*86400)
		cases = append(cases, javaCase{pattern: p.String(), sec: sec, nano: r.IntN(1e9), zone: zones[r.IntN(len(zones))]})
	}
	results := runOracle(t, cases)
	for _, c := range results {
		checkJavaCase(t, c)
	}
	t.Logf("compared %d random patterns with java.time", len(results))
}
