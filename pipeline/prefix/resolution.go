package prefix

import "time"

// Resolution is the finest calendar unit a prefix's timestamps print: two
// instants in the same unit of the same time zone evaluate to the same
// prefix. It lets a caller reuse an evaluated prefix instead of formatting
// every record's time.
type Resolution uint8

const (
	// ResolutionNone: the output may change with any instant (fractions,
	// milli- or nano-of-day, zone offsets, which change within a day at a
	// daylight-saving transition).
	ResolutionNone Resolution = iota
	ResolutionSecond
	ResolutionMinute
	ResolutionHour
	ResolutionDay
	// ResolutionConstant: no timestamp expression.
	ResolutionConstant
)

// fieldResolution is the unit each field's value stays constant within.
func fieldResolution(f field) Resolution {
	switch f {
	case fEra, fYearOfEra, fYear, fWeekYear, fWeekOfYear, fWeekOfMonth, fQuarter,
		fMonth, fDayOfMonth, fDayOfYear, fDayOfWeek, fLocalDayOfWeek:
		return ResolutionDay
	case fAmPm, fClockHourAmPm, fHourAmPm, fClockHourOfDay, fHourOfDay:
		return ResolutionHour
	case fMinute:
		return ResolutionMinute
	case fSecond:
		return ResolutionSecond
	}
	return ResolutionNone
}

// Resolution is the finest unit the format prints.
func (f *TimeFormat) Resolution() Resolution {
	r := ResolutionConstant
	for _, el := range f.elems {
		if el.kind == kLiteral {
			continue
		}
		r = min(r, fieldResolution(el.field))
	}
	return r
}

// TimeResolution is the finest unit of the prefix's timestamp expressions.
func (p *Prefix) TimeResolution() Resolution {
	r := ResolutionConstant
	for _, part := range p.parts {
		if part.Time != nil {
			r = min(r, part.Time.Resolution())
		}
	}
	return r
}

// Bucket numbers the unit of t (already in the prefix's time zone) at
// resolution r: equal buckets print equal timestamps. ok is false for
// ResolutionNone.
func (r Resolution) Bucket(t time.Time) (bucket int64, ok bool) {
	if r == ResolutionNone {
		return 0, false
	}
	if r == ResolutionConstant {
		return 0, true
	}
	b := int64(t.Year())*400 + int64(t.YearDay())
	switch r {
	case ResolutionHour:
		b = b*24 + int64(t.Hour())
	case ResolutionMinute:
		b = (b*24+int64(t.Hour()))*60 + int64(t.Minute())
	case ResolutionSecond:
		b = ((b*24+int64(t.Hour()))*60+int64(t.Minute()))*60 + int64(t.Second())
	}
	return b, true
}
