package prefix

import "strings"

type offsetCandidate struct {
	n    int // bytes consumed
	secs int
}

// offsetCandidates lists the readings of an offset at the start of s,
// longest first. Parse keeps the one whose formatting matches the input.
func offsetCandidates(s string, el element) []offsetCandidate {
	var out []offsetCandidate
	start, colonOK := 0, el.kind == kLocalizedOffset || el.offType%2 == 0
	hourDigits := []int{2}
	if el.kind == kLocalizedOffset {
		if !strings.HasPrefix(s, "GMT") {
			return nil
		}
		start = 3
		hourDigits = []int{2, 1}
	} else if el.noOffset != "" && strings.HasPrefix(s, el.noOffset) {
		out = append(out, offsetCandidate{n: len(el.noOffset)})
	}
	if start < len(s) && (s[start] == '+' || s[start] == '-') {
		sign := 1
		if s[start] == '-' {
			sign = -1
		}
		for _, hd := range hourDigits {
			out = append(out, offsetTail(s, start+1, hd, colonOK, sign)...)
		}
	}
	if el.kind == kLocalizedOffset {
		out = append(out, offsetCandidate{n: 3})
	}
	return out
}

// offsetTail reads hours, then optional minutes and seconds, separated by
// colons when colonOK, and returns the longest readings first.
func offsetTail(s string, pos, hourDigits int, colon bool, sign int) []offsetCandidate {
	if digitRun(s[pos:], hourDigits) != hourDigits {
		return nil
	}
	h, _ := digitsValue(s[pos : pos+hourDigits])
	readings := []offsetCandidate{{n: pos + hourDigits, secs: int(h) * 3600}}
	for i := 0; i < 2; i++ {
		last := readings[len(readings)-1]
		p := last.n
		if colon {
			if p >= len(s) || s[p] != ':' {
				break
			}
			p++
		}
		if digitRun(s[p:], 2) != 2 {
			break
		}
		v, _ := digitsValue(s[p : p+2])
		mult := 60
		if i == 1 {
			mult = 1
		}
		readings = append(readings, offsetCandidate{n: p + 2, secs: last.secs + int(v)*mult})
	}
	out := make([]offsetCandidate, 0, len(readings))
	for i := len(readings) - 1; i >= 0; i-- {
		out = append(out, offsetCandidate{n: readings[i].n, secs: sign * readings[i].secs})
	}
	return out
}
