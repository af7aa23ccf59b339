package prefix

import (
	"errors"
	"fmt"
)

// javaOffsetPatterns are Java's OffsetIdPrinterParser patterns; an element's
// offType indexes this list and selects which parts print.
var javaOffsetPatterns = []string{"+HH", "+HHmm", "+HH:mm", "+HHMM", "+HH:MM", "+HHMMss", "+HH:MM:ss", "+HHMMSS", "+HH:MM:SS"}

func offsetElement(pattern, noOffset string) element {
	for i, p := range javaOffsetPatterns {
		if p == pattern {
			return element{kind: kOffset, field: fOffset, offType: i, noOffset: noOffset}
		}
	}
	panic("prefix: unknown offset pattern " + pattern) // unreachable: callers pass constants
}

func tooMany(ch byte) error {
	return fmt.Errorf("too many pattern letters %q (Java rejects it)", ch)
}

func refused(ch byte, count int, why string) error {
	return fmt.Errorf("pattern letter %q x%d is not supported: %s", ch, count, why)
}

// number builds Java's appendValue(field, min, max, sign).
func number(f field, ch byte, count, minW, maxW int, sign signStyle) element {
	return element{kind: kNumber, field: f, letter: ch, count: count, minW: minW, maxW: maxW, sign: sign}
}

func text(f field, ch byte, count int, style textStyle) element {
	return element{kind: kText, field: f, letter: ch, count: count, style: style}
}

// letterElement maps a run of count identical pattern letters to an element,
// following the table in the DateTimeFormatterBuilder.appendPattern javadoc.
func letterElement(ch byte, count int) (element, error) {
	switch ch {
	case 'y', 'u', 'Y':
		return yearElement(ch, count)
	case 'M', 'L', 'Q', 'q', 'E', 'e', 'c':
		return numberOrTextElement(ch, count)
	case 'G':
		return eraElement(count)
	case 'd', 'h', 'H', 'k', 'K', 'm', 's':
		return smallNumberElement(ch, count)
	case 'D':
		return dayOfYearElement(count)
	case 'w':
		if count > 2 {
			return element{}, tooMany(ch)
		}
		return number(fWeekOfYear, ch, count, count, 2, signNotNeg), nil
	case 'W':
		if count > 1 {
			return element{}, tooMany(ch)
		}
		return number(fWeekOfMonth, ch, count, 1, 1, signNotNeg), nil
	case 'a':
		if count > 1 {
			return element{}, tooMany(ch)
		}
		return text(fAmPm, ch, count, styleShort), nil
	case 'S':
		if count > 9 {
			return element{}, fmt.Errorf("fraction of second with %d letters: Java allows at most 9", count)
		}
		return element{kind: kFraction, field: fFraction, letter: ch, count: count, minW: count, maxW: count}, nil
	case 'A', 'n', 'N':
		return wideNumberElement(ch, count)
	case 'X', 'x', 'Z', 'O':
		return offsetLetterElement(ch, count)
	}
	return element{}, unsupportedLetter(ch, count)
}

func unsupportedLetter(ch byte, count int) error {
	switch ch {
	case 'F':
		return refused(ch, count, "Java documents it as week-of-month but Java 8-19 print the aligned day-of-week-in-month; the result depends on Firehose's Java version")
	case 'V', 'z', 'v':
		return refused(ch, count, "how Firehose represents its time zone (Z, UTC, Etc/UTC, a region id) is not documented; use the offset letters X, x, Z or O")
	case 'B', 'g':
		return refused(ch, count, "it only exists in newer Java versions than Firehose is known to run")
	case 'p':
		return refused(ch, count, "pad modifiers are not implemented")
	}
	return errors.New("unknown pattern letter " + fmt.Sprintf("%q", ch) + " (Java rejects it)")
}

func yearElement(ch byte, count int) (element, error) {
	f := fYearOfEra
	switch ch {
	case 'u':
		f = fYear
	case 'Y':
		f = fWeekYear
	}
	switch {
	case count == 2:
		return element{kind: kReduced, field: f, letter: ch, count: 2, minW: 2, maxW: 2}, nil
	case count > 19:
		return element{}, fmt.Errorf("%d letters %q: Java allows a width of at most 19", count, ch)
	case count < 4:
		return number(f, ch, count, count, 19, signNormal), nil
	}
	return number(f, ch, count, count, 19, signExceedsPad), nil
}

func numberOrTextElement(ch byte, count int) (element, error) {
	standalone := ch == 'L' || ch == 'q' || ch == 'c'
	if ch == 'c' && count == 2 {
		return element{}, errors.New(`"cc" is an invalid pattern in Java`)
	}
	if count > 5 {
		return element{}, tooMany(ch)
	}
	if standalone && count >= 3 {
		return element{}, refused(ch, count, "stand-alone text differs between Java versions (Java 8 prints a number); use M, Q or E")
	}
	f := map[byte]field{'M': fMonth, 'L': fMonth, 'Q': fQuarter, 'q': fQuarter, 'E': fDayOfWeek, 'e': fLocalDayOfWeek, 'c': fLocalDayOfWeek}[ch]
	switch count {
	case 1, 2:
		if ch == 'E' {
			return text(f, ch, count, styleShort), nil
		}
		if ch == 'e' || ch == 'c' {
			return number(f, ch, count, count, count, signNotNeg), nil
		}
		if count == 1 {
			return number(f, ch, 1, 1, 19, signNormal), nil
		}
		return number(f, ch, 2, 2, 2, signNotNeg), nil
	case 3:
		return text(f, ch, count, styleShort), nil
	case 4:
		return text(f, ch, count, styleFull), nil
	}
	return text(f, ch, count, styleNarrow), nil
}

func eraElement(count int) (element, error) {
	switch {
	case count <= 3:
		return text(fEra, 'G', count, styleShort), nil
	case count == 4:
		return text(fEra, 'G', count, styleFull), nil
	case count == 5:
		return element{}, refused('G', count, "the narrow era text is not confirmed across Java versions")
	}
	return element{}, tooMany('G')
}

func smallNumberElement(ch byte, count int) (element, error) {
	f := map[byte]field{'d': fDayOfMonth, 'h': fClockHourAmPm, 'H': fHourOfDay, 'k': fClockHourOfDay, 'K': fHourAmPm, 'm': fMinute, 's': fSecond}[ch]
	switch count {
	case 1:
		return number(f, ch, 1, 1, 19, signNormal), nil
	case 2:
		return number(f, ch, 2, 2, 2, signNotNeg), nil
	}
	return element{}, tooMany(ch)
}

func dayOfYearElement(count int) (element, error) {
	switch count {
	case 1:
		return number(fDayOfYear, 'D', 1, 1, 19, signNormal), nil
	case 2:
		return element{}, refused('D', 2, "Java 8 fails on days 100-366 and Java 9+ prints 3 digits; use D (unpadded) or DDD")
	case 3:
		return number(fDayOfYear, 'D', 3, 3, 3, signNotNeg), nil
	}
	return element{}, tooMany('D')
}

// wideNumberElement handles A, n and N, whose padding rule changed in Java 9
// (fixed width before, minimum width after). Counts where both agree are
// supported: 1, or at least the field's largest number of digits.
func wideNumberElement(ch byte, count int) (element, error) {
	f, digits := fMilliOfDay, 8
	switch ch {
	case 'n':
		f, digits = fNanoOfSecond, 9
	case 'N':
		f, digits = fNanoOfDay, 14
	}
	if count > 19 {
		return element{}, fmt.Errorf("%d letters %q: Java allows a width of at most 19", count, ch)
	}
	if count != 1 && count < digits {
		return element{}, refused(ch, count, fmt.Sprintf("Java 8 fails when the value needs more than %d digits and Java 9+ widens it; use 1 or at least %d letters", count, digits))
	}
	return number(f, ch, count, count, 19, signNotNeg), nil
}

func offsetLetterElement(ch byte, count int) (element, error) {
	if ch == 'O' {
		switch count {
		case 1:
			return element{kind: kLocalizedOffset, field: fOffset, letter: ch, count: 1, style: styleShort}, nil
		case 4:
			return element{kind: kLocalizedOffset, field: fOffset, letter: ch, count: 4, style: styleFull}, nil
		}
		return element{}, errors.New("pattern letter 'O' must appear once or four times (Java rejects other counts)")
	}
	if count > 5 {
		return element{}, tooMany(ch)
	}
	var el element
	switch ch {
	case 'X':
		el = offsetElement([]string{"+HHmm", "+HHMM", "+HH:MM", "+HHMMss", "+HH:MM:ss"}[count-1], "Z")
	case 'x':
		zero := "+00:00"
		if count == 1 {
			zero = "+00"
		} else if count%2 == 0 {
			zero = "+0000"
		}
		el = offsetElement([]string{"+HHmm", "+HHMM", "+HH:MM", "+HHMMss", "+HH:MM:ss"}[count-1], zero)
	default: // 'Z'
		switch {
		case count < 4:
			el = offsetElement("+HHMM", "+0000")
		case count == 4:
			el = element{kind: kLocalizedOffset, field: fOffset, style: styleFull}
		default:
			el = offsetElement("+HH:MM:ss", "Z")
		}
	}
	el.letter, el.count = ch, count
	return el, nil
}
