package framing_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sesctl/sesctl/pipeline/framing"
)

func ExampleReader() {
	input := `{"eventType":"Send"}
{"eventType":"Delivery"}{"eventType":"Open"}

{
  "eventType": "Bounce",
  "bounce": {"bounceType": "Permanent"}
}
{"eventType":"Click", "mail":
not json at all
{"eventType":"Complaint"}
`
	r, err := framing.NewReader("events.json", strings.NewReader(input))
	if err != nil {
		panic(err)
	}
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s:%d %s\n", rec.File, rec.Line, rec.Data)
	}
	// Output:
	// events.json:1 {"eventType":"Send"}
	// events.json:2 {"eventType":"Delivery"}
	// events.json:2 {"eventType":"Open"}
	// events.json:4 {"eventType":"Bounce","bounce":{"bounceType":"Permanent"}}
	// events.json:8 {"eventType":"Click", "mail":
	// events.json:9 not json at all
	// events.json:10 {"eventType":"Complaint"}
}
