package prefix

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func mustCompile(t testing.TB, p string) *TimeFormat {
	t.Helper()
	f, err := CompileTimeFormat(p)
	if err != nil {
		t.Fatalf("CompileTimeFormat(%q): %v", p, err)
	}
	return f
}

func at(y int, m time.Month, d, h, mi, s, ns int) time.Time {
	return time.Date(y, m, d, h, mi, s, ns, time.UTC)
}

// TestFormatJavadocExamples reproduces the examples of the "Patterns for
// Formatting and Parsing" table of the Oracle DateTimeFormatter javadoc, at
// instants chosen to have those values, plus the documented pitfalls.
func TestFormatJavadocExamples(t *testing.T) {
	pst := time.FixedZone("", -8*3600)
	odd := time.FixedZone("", -(8*3600 + 30*60 + 15))
	tests := []struct {
		pattern string
		t       time.Time
		want    string
	}{
		{"G GGGG", at(2004, 7, 6, 0, 0, 0, 0), "AD Anno Domini"},
		{"u uu y yy", at(2004, 7, 6, 0, 0, 0, 0), "2004 04 2004 04"},
		{"D", at(2004, 7, 7, 0, 0, 0, 0), "189"},
		{"M MM MMM MMMM MMMMM", at(2004, 7, 6, 0, 0, 0, 0), "7 07 Jul July J"},
		{"L LL", at(2004, 7, 6, 0, 0, 0, 0), "7 07"},
		{"d", at(2004, 7, 10, 0, 0, 0, 0), "10"},
		{"Q QQ QQQ QQQQ q", at(2004, 7, 6, 0, 0, 0, 0), "3 03 Q3 3rd quarter 3"},
		{"E EEEE EEEEE", at(2004, 7, 6, 0, 0, 0, 0), "Tue Tuesday T"},
		{"a", at(2004, 7, 6, 14, 0, 0, 0), "PM"},
		{"h K", at(2004, 7, 6, 12, 0, 0, 0), "12 0"},
		{"H k", at(2004, 7, 6, 0, 0, 0, 0), "0 24"},
		{"m s", at(2004, 7, 6, 0, 30, 55, 0), "30 55"},
		{"SSS", at(2004, 7, 6, 0, 0, 0, 978_999_999), "978"},
		{"A N", at(2004, 7, 6, 0, 0, 1, 234_000_000), "1234 1234000000"},
		{"n", at(2004, 7, 6, 0, 0, 0, 987_654_321), "987654321"},
		{"O OOOO", at(2004, 7, 6, 0, 0, 0, 0).In(pst), "GMT-8 GMT-08:00"},
		{"X XX XXX", at(2004, 7, 6, 0, 0, 0, 0).In(pst), "-08 -0800 -08:00"},
		{"X x xx Z", at(2004, 7, 6, 0, 0, 0, 0), "Z +00 +0000 +0000"},
		{"XXXX XXXXX xxxx", at(2004, 7, 6, 0, 0, 0, 0).In(odd), "-083015 -08:30:15 -083015"},
		{"Z ZZZZZ", at(2004, 7, 6, 0, 0, 0, 0).In(pst), "-0800 -08:00"},
		// Quoted literals.
		{"yyyy'-'MM'-'dd", at(2018, 8, 3, 0, 0, 0, 0), "2018-08-03"},
		{"'year='yyyy'/month='MM", at(2018, 8, 3, 0, 0, 0, 0), "year=2018/month=08"},
		{"'' hh 'o''clock' a", at(2018, 8, 3, 15, 0, 0, 0), "' 03 o'clock PM"},
		{"[yyyy]/MM", at(2018, 8, 3, 0, 0, 0, 0), "2018/08"},
		// Count rules.
		{"y yyy yyyy yyyyy", at(9, 3, 4, 0, 0, 0, 0), "9 009 0009 00009"},
		{"yyyy y uuuu", at(12345, 1, 1, 0, 0, 0, 0), "+12345 12345 +12345"},
		{"M/d H:m:s", at(2024, 3, 8, 9, 7, 6, 0), "3/8 9:7:6"},
		// Pitfalls: week-based year, day-of-year, 12-hour clock.
		{"yyyy YYYY ww", at(2019, 12, 30, 0, 0, 0, 0), "2019 2020 01"},
		{"yyyy YYYY ww e", at(2019, 12, 29, 0, 0, 0, 0), "2019 2020 01 1"},
		{"yyyy YYYY ww", at(2021, 1, 1, 0, 0, 0, 0), "2021 2021 01"},
		{"yyyy/MM/dd yyyy/MM/DDD D", at(2024, 2, 1, 0, 0, 0, 0), "2024/02/01 2024/02/032 32"},
		{"hh HH", at(2024, 2, 1, 15, 0, 0, 0), "03 15"},
	}
	for _, tc := range tests {
		if got := mustCompile(t, tc.pattern).Format(tc.t); got != tc.want {
			t.Errorf("Format(%q, %s) = %q, want %q", tc.pattern, tc.t, got, tc.want)
		}
	}
}

func TestCompileRefusals(t *testing.T) {
	tests := []struct{ pattern, mention string }{
		{"F", "'F'"}, {"VV", "'V'"}, {"z", "'z'"}, {"v", "'v'"}, {"B", "'B'"}, {"g", "'g'"}, {"pH", "'p'"},
		{"yyyy/MM/DD", "'D' x2"}, {"DDDD", "'D'"}, {"LLL", "'L' x3"}, {"qqqq", "'q'"}, {"ccc", "'c'"}, {"cc", `"cc"`},
		{"GGGGG", "'G' x5"}, {"GGGGGG", "'G'"}, {"AA", "'A' x2"}, {"nn", "'n' x2"}, {"NNNNNNNNNNNNN", "'N' x13"},
		{"SSSSSSSSSS", "at most 9"}, {"aa", "'a'"}, {"ddd", "'d'"}, {"HHH", "'H'"}, {"www", "'w'"}, {"WW", "'W'"},
		{"EEEEEE", "'E'"}, {"MMMMMM", "'M'"}, {"XXXXXX", "'X'"}, {"OO", "'O'"}, {"yyyyyyyyyyyyyyyyyyyy", "at most 19"},
		{"b", "'b'"}, {"f", "'f'"}, {"i", "'i'"}, {"j", "'j'"}, {"l", "'l'"}, {"o", "'o'"}, {"r", "'r'"}, {"t", "'t'"},
		{"C", "'C'"}, {"I", "'I'"}, {"J", "'J'"}, {"P", "'P'"}, {"R", "'R'"}, {"T", "'T'"}, {"U", "'U'"},
		{"yyyy#", `'#'`}, {"{", `'{'`}, {"}", `'}'`}, {"yyyy]", "']'"}, {"'T", "not closed"}, {"yyyy'", "not closed"},
	}
	for _, tc := range tests {
		_, err := CompileTimeFormat(tc.pattern)
		if err == nil {
			t.Errorf("CompileTimeFormat(%q) succeeded", tc.pattern)
			continue
		}
		if ruleOf(t, err) != RuleBadPattern || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("CompileTimeFormat(%q) = %v, want rule %s mentioning %s", tc.pattern, err, RuleBadPattern, tc.mention)
		}
	}
	// A letter that is not ASCII is a literal, as in Java; so is an
	// unclosed '[' (Java closes it at the end).
	for _, p := range []string{"é", "[yyyy", "yyyy-MM-dd HH.mm,ss"} {
		if _, err := CompileTimeFormat(p); err != nil {
			t.Errorf("CompileTimeFormat(%q): %v", p, err)
		}
	}
}

func TestParse(t *testing.T) {
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	tests := []struct {
		pattern, in string
		loc         *time.Location
		want        time.Time // zero: an error is expected
	}{
		{"yyyy/MM/dd", "2024/03/08", nil, at(2024, 3, 8, 0, 0, 0, 0)},
		{"yyyy/MM/dd", "2024/03/08", tokyo, at(2024, 3, 7, 15, 0, 0, 0)},
		{"yyyy/MM/dd/HH/", "2024/03/08/09/", nil, at(2024, 3, 8, 9, 0, 0, 0)},
		{"yyyyMMdd", "20240308", nil, at(2024, 3, 8, 0, 0, 0, 0)},
		{"'year='yyyy'/month='MM", "year=2024/month=03", nil, at(2024, 3, 1, 0, 0, 0, 0)},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-03-08T09:07:06.123+05:30", nil, at(2024, 3, 8, 3, 37, 6, 123_000_000)},
		{"yyyy-MM-dd'T'HH:mm:ssX", "2024-03-08T09:07:06Z", tokyo, at(2024, 3, 8, 9, 7, 6, 0)},
		{"YYYY-'W'ww-e", "2020-W01-1", nil, at(2019, 12, 29, 0, 0, 0, 0)},
		{"YYYY-'W'ww", "2021-W01", nil, at(2020, 12, 27, 0, 0, 0, 0)},
		{"yyyy/DDD", "2024/060", nil, at(2024, 2, 29, 0, 0, 0, 0)},
		{"yyyy/D", "2024/60", nil, at(2024, 2, 29, 0, 0, 0, 0)},
		{"yy/MM", "24/03", nil, at(2024, 3, 1, 0, 0, 0, 0)},
		{"yyyy hh", "2024 03", nil, at(2024, 1, 1, 3, 0, 0, 0)},
		{"yyyy hh a", "2024 03 PM", nil, at(2024, 1, 1, 15, 0, 0, 0)},
		{"yyyy kk", "2024 24", nil, at(2024, 1, 1, 0, 0, 0, 0)},
		{"MMM yyyy", "Mar 2024", nil, at(2024, 3, 1, 0, 0, 0, 0)},
		{"MMMM d, yyyy", "March 8, 2024", nil, at(2024, 3, 8, 0, 0, 0, 0)},
		{"yyyy-QQQ", "2024-Q2", nil, at(2024, 4, 1, 0, 0, 0, 0)},
		{"EEE yyyy-MM-dd", "Fri 2024-03-08", nil, at(2024, 3, 8, 0, 0, 0, 0)},
		{"yyyy", "+12345", nil, at(12345, 1, 1, 0, 0, 0, 0)},
		{"G yyyy", "BC 0045", nil, at(-44, 1, 1, 0, 0, 0, 0)},
		{"yyyyMMddHHmmssSSSSSSSSS", "20240308090706123456789", nil, at(2024, 3, 8, 9, 7, 6, 123456789)},
		// Refused input.
		{"yyyy/MM/dd", "2024/3/8", nil, time.Time{}},
		{"yyyy/M/d", "2024/03/08", nil, time.Time{}},
		{"yyyy/MM/dd", "2024/02/30", nil, time.Time{}},
		{"yyyy/MM/dd", "2024/13/01", nil, time.Time{}},
		{"yyyy/MM/dd", "2024/03/08/", nil, time.Time{}},
		{"yyyy/MM/dd", "", nil, time.Time{}},
		{"MMM yyyy", "mar 2024", nil, time.Time{}},
		{"EEE yyyy-MM-dd", "Mon 2024-03-08", nil, time.Time{}},
		{"yyyy", "12345", nil, time.Time{}},  // Java prints +12345
		{"HH:mm", "09:07", nil, time.Time{}}, // no year
	}
	for _, tc := range tests {
		f := mustCompile(t, tc.pattern)
		got, err := f.ParseInLocation(tc.in, tc.loc)
		if tc.want.IsZero() {
			if err == nil {
				t.Errorf("Parse(%q, %q) = %s, want an error", tc.pattern, tc.in, got)
			} else if ruleOf(t, err) != RuleParseTime {
				t.Errorf("Parse(%q, %q) rule %v", tc.pattern, tc.in, err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("Parse(%q, %q) = %s, %v; want %s", tc.pattern, tc.in, got, err, tc.want)
		}
	}
}

func TestUnit(t *testing.T) {
	tests := map[string]string{
		"yyyy": "YEARS", "'y='yyyy/": "YEARS", "yyyy/MM": "MONTHS", "yyyy-QQQ": "MONTHS", "YYYY-ww": "WEEKS",
		"yyyy/MM/dd": "DAYS", "yyyy/DDD": "DAYS", "a": "HALF_DAYS", "yyyy/MM/dd/HH/": "HOURS", "hh a": "HOURS",
		"HH:mm": "MINUTES", "ss": "SECONDS", "SSS": "MILLIS", "A": "MILLIS", "SSSSSS": "MICROS", "n": "NANOS",
		"SSSSSSSSS": "NANOS", "'lit'": "", "XXX": "",
	}
	for p, want := range tests {
		if got := mustCompile(t, p).Unit(); got != want {
			t.Errorf("Unit(%q) = %q, want %q", p, got, want)
		}
	}
}

// truncWall truncates t's wall clock (not its absolute time) to prec.
func truncWall(t time.Time, prec time.Duration) time.Time {
	w := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC).Truncate(prec)
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), t.Location())
}

// TestRoundTripProperty: for random instants, Parse(Format(t)) gives t
// truncated to the pattern's precision, and for coarser patterns an instant
// that formats the same.
func TestRoundTripProperty(t *testing.T) {
	exact := map[string]time.Duration{
		"yyyy/MM/dd/HH/mm/ss.SSSSSSSSS":                time.Nanosecond,
		"uuuu-DDD HH:mm:ss nnnnnnnnn":                  time.Nanosecond,
		"yyyyMMddHHmmssSSS":                            time.Millisecond,
		"YYYY-ww-e HH:mm:ss":                           time.Second,
		"'year='yyyy'/month='MM'/day='dd'/hour='HH'/'": time.Hour,
		"yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXXXX":            time.Microsecond,
		"EEEE, MMMM d, yyyy h:mm:ss a":                 time.Second,
		"yyyy/MM/dd/HH/":                               time.Hour,
		"uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSSxx":            time.Nanosecond,
	}
	coarse := []string{"yyyy/MM/dd", "yyyy-QQQ", "YYYY-'W'ww", "yyyy/DDD", "yy/MM/dd", "MMM yyyy", "yyyy hh", "yyyy", "G yyyy MMMMM"}
	zones := []*time.Location{time.UTC, time.FixedZone("", 5*3600+30*60), time.FixedZone("", -(9*3600 + 30*60))}
	r := rand.New(rand.NewPCG(3, 4))
	lo, hi := at(1, 1, 1, 0, 0, 0, 0).Unix(), at(9999, 12, 31, 0, 0, 0, 0).Unix()
	for range 2000 {
		ti := time.Unix(lo+r.Int64N(hi-lo), r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
		for p, prec := range exact {
			f := mustCompile(t, p)
			s := f.Format(ti)
			back, err := f.ParseInLocation(s, ti.Location())
			if want := truncWall(ti, prec); err != nil || !back.Equal(want) {
				t.Fatalf("pattern %q: Parse(%q) = %s, %v; want %s", p, s, back, err, want)
			}
		}
		for _, p := range coarse {
			f := mustCompile(t, p)
			if strings.Contains(p, "yy/") && (ti.Year() < 2000 || ti.Year() > 2099) {
				continue
			}
			s := f.Format(ti)
			back, err := f.ParseInLocation(s, ti.Location())
			if err != nil || f.Format(back) != s || back.After(ti) {
				t.Fatalf("pattern %q: Parse(%q) = %s, %v (from %s)", p, s, back, err, ti)
			}
		}
	}
}
