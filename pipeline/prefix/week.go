package prefix

import "time"

// weekRules are Java WeekFields: the first day of the week and the minimal
// number of days of the first week of a year or month.
type weekRules struct {
	firstDay time.Weekday
	minDays  int
}

// javaWeek are the rules behind Java's localized Y, w, W, e and c letters.
// DateTimeFormatter.ofPattern uses the JVM's default locale; on Linux that is
// en or en_US unless configured otherwise (LANG=C maps to it), whose rules
// are WeekFields[SUNDAY,1]. Firehose's locale is not documented: ISO rules
// (MONDAY,4) would differ around New Year, e.g. 2021-01-01 is week 1 of 2021
// here and week 53 of 2020 under ISO.
var javaWeek = weekRules{firstDay: time.Sunday, minDays: 1}

// localDayOfWeek is 1 for the rules' first day of the week, 7 for the last.
func (r weekRules) localDayOfWeek(d time.Weekday) int {
	return floorMod(int(d)-int(r.firstDay), 7) + 1
}

// startOfWeekOffset follows java.time.temporal.WeekFields: the offset of the
// first day of week 1 from the first day of the period, given the day of
// period and localized day of week of some date.
func (r weekRules) startOfWeekOffset(day, dow int) int {
	weekStart := floorMod(day-dow, 7)
	offset := -weekStart
	if weekStart+1 > r.minDays {
		offset = 7 - weekStart
	}
	return offset
}

func computeWeek(offset, day int) int {
	return (7 + offset + (day - 1)) / 7
}

// weekOfWeekBasedYear returns Java's localized week-based year and week.
func (r weekRules) weekOfWeekBasedYear(year, yday int, wd time.Weekday) (int, int) {
	dow := r.localDayOfWeek(wd)
	offset := r.startOfWeekOffset(yday, dow)
	week := computeWeek(offset, yday)
	if week == 0 {
		// The day belongs to the last week of the previous year: recompute
		// from December 31 of that year, which shares its week.
		prev := time.Date(year-1, time.December, 31, 12, 0, 0, 0, time.UTC)
		_, w := r.weekOfWeekBasedYear(year-1, prev.YearDay(), prev.Weekday())
		return year - 1, w
	}
	newYearWeek := computeWeek(offset, yearLength(year)+r.minDays)
	if week >= newYearWeek {
		return year + 1, week - newYearWeek + 1
	}
	return year, week
}

// weekOfMonth is Java's localized week-of-month (W), 0 to 6.
func (r weekRules) weekOfMonth(day int, wd time.Weekday) int {
	dow := r.localDayOfWeek(wd)
	return computeWeek(r.startOfWeekOffset(day, dow), day)
}

func yearLength(year int) int {
	if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
		return 366
	}
	return 365
}

func floorMod(a, b int) int {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}
