package prefix

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// field is a date-time field a pattern letter prints.
type field uint8

const (
	fEra            field = iota + 1 // G
	fYearOfEra                       // y
	fYear                            // u (proleptic year)
	fWeekYear                        // Y (week-based year)
	fWeekOfYear                      // w
	fWeekOfMonth                     // W
	fQuarter                         // Q
	fMonth                           // M, L
	fDayOfMonth                      // d
	fDayOfYear                       // D
	fDayOfWeek                       // E (Monday=1 .. Sunday=7)
	fLocalDayOfWeek                  // e, c (1 = first day of the locale's week)
	fAmPm                            // a (0 AM, 1 PM)
	fClockHourAmPm                   // h (1-12)
	fHourAmPm                        // K (0-11)
	fClockHourOfDay                  // k (1-24)
	fHourOfDay                       // H (0-23)
	fMinute                          // m
	fSecond                          // s
	fFraction                        // S (nano-of-second printed as a fraction)
	fMilliOfDay                      // A
	fNanoOfSecond                    // n
	fNanoOfDay                       // N
	fOffset                          // X x Z O (offset in seconds)
	numFields
)

type elemKind uint8

const (
	kLiteral         elemKind = iota
	kNumber                   // appendValue(field, min, max, sign)
	kReduced                  // appendValueReduced(field, 2, 2, 2000)
	kFraction                 // appendFraction(NANO_OF_SECOND, n, n, false)
	kText                     // appendText(field, style)
	kOffset                   // appendOffset(pattern, noOffsetText)
	kLocalizedOffset          // appendLocalizedOffset(style)
)

type signStyle uint8

const (
	signNormal     signStyle = iota // '-' for negative values only
	signNotNeg                      // values are never negative
	signExceedsPad                  // '+' when the value has more digits than the minimum width
)

type textStyle uint8

const (
	styleShort textStyle = iota
	styleFull
	styleNarrow
)

// element is one printer/parser of a compiled pattern.
type element struct {
	kind   elemKind
	field  field
	letter byte
	count  int
	lit    string
	minW   int
	maxW   int
	sign   signStyle
	style  textStyle
	// offsets: index into javaOffsetPatterns and the text printed for zero.
	offType  int
	noOffset string
}

// TimeFormat is a compiled Java DateTimeFormatter pattern, as used by
// Firehose's !{timestamp:PATTERN} expressions.
type TimeFormat struct {
	pattern string
	elems   []element
}

// patternError is a compile error at a byte offset of the pattern.
type patternError struct {
	off int
	msg string
}

// CompileTimeFormat compiles a Java DateTimeFormatter pattern. Every ASCII
// letter is a pattern letter: a letter sesctl does not implement, or one whose
// output differs between Java versions or depends on data Firehose does not
// document, is refused with rule timestamp.bad-pattern rather than guessed.
func CompileTimeFormat(pattern string) (*TimeFormat, error) {
	f, perr := compileTimeFormat(pattern)
	if perr != nil {
		return nil, ruleErr(RuleBadPattern, "timestamp pattern %q at column %d: %s",
			pattern, column(pattern, perr.off), perr.msg)
	}
	return f, nil
}

// column is the 1-based character column of byte offset off in s.
func column(s string, off int) int {
	if off > len(s) {
		off = len(s)
	}
	return utf8.RuneCountInString(s[:off]) + 1
}

func compileTimeFormat(pattern string) (*TimeFormat, *patternError) {
	c := compiler{pattern: pattern}
	if err := c.run(); err != nil {
		return nil, err
	}
	return &TimeFormat{pattern: pattern, elems: c.elems}, nil
}

type compiler struct {
	pattern string
	elems   []element
	depth   int
}

func (c *compiler) run() *patternError {
	p := c.pattern
	for i := 0; i < len(p); {
		ch := p[i]
		switch {
		case isLetter(ch):
			j := i
			for j < len(p) && p[j] == ch {
				j++
			}
			el, err := letterElement(ch, j-i)
			if err != nil {
				return &patternError{off: i, msg: err.Error()}
			}
			c.elems = append(c.elems, el)
			i = j
		case ch == '\'':
			n, err := c.quoted(i)
			if err != nil {
				return err
			}
			i = n
		case ch == '[':
			c.depth++
			i++
		case ch == ']':
			if c.depth == 0 {
				return &patternError{off: i, msg: "']' without a previous '[' (Java rejects it)"}
			}
			c.depth--
			i++
		case ch == '#' || ch == '{' || ch == '}':
			return &patternError{off: i, msg: fmt.Sprintf("%q is reserved for future use by Java", ch)}
		default:
			_, size := utf8.DecodeRuneInString(p[i:])
			c.literal(p[i : i+size])
			i += size
		}
	}
	return nil
}

// quoted reads a '...' literal starting at i and returns the offset after it.
// As in Java, ” (empty quotes) is one quote and ” inside quotes is a quote.
func (c *compiler) quoted(i int) (int, *patternError) {
	p := c.pattern
	pos := i + 1
	for ; pos < len(p); pos++ {
		if p[pos] == '\'' {
			if pos+1 < len(p) && p[pos+1] == '\'' {
				pos++
				continue
			}
			break
		}
	}
	if pos >= len(p) {
		return 0, &patternError{off: i, msg: "quoted literal is not closed (Java: pattern ends with an incomplete string literal)"}
	}
	str := p[i+1 : pos]
	if str == "" {
		c.literal("'")
	} else {
		c.literal(strings.ReplaceAll(str, "''", "'"))
	}
	return pos + 1, nil
}

func (c *compiler) literal(s string) {
	if n := len(c.elems); n > 0 && c.elems[n-1].kind == kLiteral {
		c.elems[n-1].lit += s
		return
	}
	c.elems = append(c.elems, element{kind: kLiteral, lit: s})
}

func isLetter(ch byte) bool {
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
}

// Pattern returns the pattern the format was compiled from.
func (f *TimeFormat) Pattern() string { return f.pattern }

// Unit returns the ChronoUnit name of the finest field the pattern prints:
// YEARS, MONTHS, WEEKS, DAYS, HALF_DAYS, HOURS, MINUTES, SECONDS, MILLIS,
// MICROS or NANOS; "" for a pattern without fields. Athena's date projection
// takes it as projection.<col>.interval.unit. A quarter (Q) counts as MONTHS:
// the caller needs an interval of 3.
func (f *TimeFormat) Unit() string {
	best := -1
	for _, el := range f.elems {
		if el.kind == kLiteral || el.kind == kOffset || el.kind == kLocalizedOffset {
			continue
		}
		if r := unitRank(el); r > best {
			best = r
		}
	}
	if best < 0 {
		return ""
	}
	return unitNames[best]
}

var unitNames = []string{"YEARS", "MONTHS", "WEEKS", "DAYS", "HALF_DAYS", "HOURS", "MINUTES", "SECONDS", "MILLIS", "MICROS", "NANOS"}

func unitRank(el element) int {
	switch el.field {
	case fEra, fYearOfEra, fYear, fWeekYear:
		return 0
	case fQuarter, fMonth:
		return 1
	case fWeekOfYear, fWeekOfMonth:
		return 2
	case fDayOfMonth, fDayOfYear, fDayOfWeek, fLocalDayOfWeek:
		return 3
	case fAmPm:
		return 4
	case fClockHourAmPm, fHourAmPm, fClockHourOfDay, fHourOfDay:
		return 5
	case fMinute:
		return 6
	case fSecond:
		return 7
	case fMilliOfDay:
		return 8
	case fFraction:
		return 8 + (el.count+2)/3 - 1
	}
	return 10 // nano-of-second, nano-of-day
}
