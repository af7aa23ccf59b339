package prefix_test

import (
	"fmt"
	"time"

	"github.com/sesctl/sesctl/pipeline/prefix"
)

func ExamplePrefix_Eval() {
	p, err := prefix.Parse("events/!{partitionKeyFromQuery:sender}/!{partitionKeyFromQuery:type}/!{timestamp:yyyy/MM/dd}/")
	if err != nil {
		panic(err)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	key, err := p.Eval(prefix.Values{
		Keys: map[string]string{"sender": "example.com", "type": "Bounce"},
		Time: time.Date(2024, 3, 8, 20, 0, 0, 0, time.UTC).In(tokyo), // CustomTimeZone
	})
	fmt.Println(key, err)
	fmt.Println(p.QueryKeys())
	// Output:
	// events/example.com/Bounce/2024/03/09/ <nil>
	// [sender type]
}

func ExampleEffective() {
	at := time.Date(2026, 7, 13, 14, 5, 0, 0, time.UTC)
	for _, raw := range []string{"legacy", "", "r/!{firehose:random-string}/"} {
		p, _ := prefix.Parse(prefix.Effective(raw))
		out, _ := p.Eval(prefix.Values{Time: at, RandomString: func() string { return "5abf82daaa5" }})
		fmt.Printf("%q -> %q\n", raw, out)
	}
	// Output:
	// "legacy" -> "legacy2026/07/13/14/"
	// "" -> "2026/07/13/14/"
	// "r/!{firehose:random-string}/" -> "r/5abf82daaa5/"
}

func ExampleValidateStream() {
	errs := prefix.ValidateStream(
		"p/!{partitionKeyFromQuery:sender}/!{timestamp:yyyy/MM/DD}/",
		"",
		[]string{"sender", "type"},
		true,
	)
	for _, e := range errs {
		fmt.Println(e)
	}
	// Output:
	// Prefix: expression "!{timestamp:yyyy/MM/DD}" at column 55: pattern letter 'D' x2 is not supported: Java 8 fails on days 100-366 and Java 9+ prints 3 digits; use D (unpadded) or DDD [rule: timestamp.bad-pattern]
	// ErrorOutputPrefix cannot be null or empty when Prefix contains expressions [rule: error-prefix.required]
	// When dynamic partitioning via inline parsing is enabled, you must use all specified dynamic partitioning key values for partitioning your data source: key "type" is not used in Prefix "p/!{partitionKeyFromQuery:sender}/!{timestamp:yyyy/MM/DD}/" [rule: prefix.unused-query-key]
}

func ExampleTimeFormat_Parse() {
	f, _ := prefix.CompileTimeFormat("yyyy/MM/dd")
	day, err := f.Parse("2024/03/08")
	fmt.Println(day, err, f.Unit())
	_, err = f.Parse("2024/3/8")
	fmt.Println(err)
	// Output:
	// 2024-03-08 00:00:00 +0000 UTC <nil> DAYS
	// "2024/3/8" does not match timestamp pattern "yyyy/MM/dd" [rule: timestamp.parse]
}

func ExampleTimeFormat_Format() {
	f, _ := prefix.CompileTimeFormat("yyyy YYYY-'W'ww DDD")
	fmt.Println(f.Format(time.Date(2019, 12, 30, 0, 0, 0, 0, time.UTC)))
	// Output:
	// 2019 2020-W01 364
}

func ExampleLint() {
	for _, e := range prefix.Lint("partitioned/!{partitionKeyFromQuery:id}/!{timestamp:YYYY/MM/dd/HH/}/") {
		fmt.Println(e.Rule)
	}
	// Output:
	// lint.week-based-year
	// lint.double-slash
}
