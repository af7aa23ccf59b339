package schema

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// covered reports whether the JSON value v at path is described by t,
// appending every uncovered path to missing.
func covered(path string, v any, t Type, missing *[]string) {
	switch val := v.(type) {
	case map[string]any:
		switch t.Kind {
		case Map:
			for k, e := range val {
				covered(path+"."+k, e, *t.Elem, missing)
			}
		case Struct:
			for k, e := range val {
				f, ok := fieldByJSONKey(t, k)
				if !ok {
					*missing = append(*missing, path+"."+k)
					continue
				}
				covered(path+"."+k, e, f.Type, missing)
			}
		default:
			*missing = append(*missing, path+" (object, table says "+t.Hive()+")")
		}
	case []any:
		if t.Kind != Array {
			*missing = append(*missing, path+" (array, table says "+t.Hive()+")")
			return
		}
		for i, e := range val {
			covered(path+"["+itoa(i)+"]", e, *t.Elem, missing)
		}
	case string:
		if t.Kind != String {
			*missing = append(*missing, path+" (string, table says "+t.Hive()+")")
		}
	case bool:
		if t.Kind != Boolean {
			*missing = append(*missing, path+" (boolean, table says "+t.Hive()+")")
		}
	case float64:
		if t.Kind != Bigint || val != float64(int64(val)) {
			*missing = append(*missing, path+" (number, table says "+t.Hive()+")")
		}
	}
}

func fieldByJSONKey(t Type, key string) (Field, bool) {
	for _, f := range t.Fields {
		if f.JSONKey == key {
			return f, true
		}
	}
	return Field{}, false
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// Every field of every official sample is described by the column table
// with a matching type, so the table cannot silently miss a field. The only
// exception is the always-empty send object (see Columns).
func TestColumnsCoverOfficialSamples(t *testing.T) {
	table := Type{Kind: Struct, Fields: Columns()}
	for i, rec := range officialSamples(t) {
		var m map[string]any
		if err := json.Unmarshal(rec, &m); err != nil {
			t.Fatal(err)
		}
		if send, ok := m["send"]; ok {
			if len(send.(map[string]any)) != 0 {
				t.Fatalf("sample %d: send object is not empty", i+1)
			}
			delete(m, "send")
		}
		var missing []string
		covered("", m, table, &missing)
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("sample %d (%s): fields not in Columns(): %s", i+1, m["eventType"], strings.Join(missing, ", "))
		}
	}
}

// The table describes exactly what the Go types decode: every JSON key the
// Event struct knows is a field of the table and vice versa.
func TestColumnsMatchGoTypes(t *testing.T) {
	full := Event{
		EventType: "x",
		Mail: Mail{Timestamp: "x", Source: "x", SourceArn: "x", SendingAccountID: "x", MessageID: "x",
			Destination: []string{"x"}, HeadersTruncated: true, Headers: []Header{{"x", "x"}},
			CommonHeaders: &CommonHeaders{[]string{"x"}, []string{"x"}, []string{"x"}, []string{"x"}, []string{"x"}, "x", "x", "x", "x"},
			Tags:          map[string][]string{"k": {"v"}}},
		Bounce:        &Bounce{"x", "x", []BouncedRecipient{{"x", "x", "x", "x"}}, "x", "x", "x"},
		Complaint:     &Complaint{[]Recipient{{"x"}}, "x", "x", "x", "x", "x", "x"},
		Delivery:      &Delivery{"x", 1, []string{"x"}, "x", "x"},
		Reject:        &Reject{"x"},
		Open:          &Open{"x", "x", "x"},
		Click:         &Click{"x", "x", map[string][]string{"k": {"v"}}, "x", "x"},
		Failure:       &Failure{"x", "x"},
		DeliveryDelay: &DeliveryDelay{"x", "x", "x", "x", []DelayedRecipient{{"x", "x", "x"}}},
		Subscription: &Subscription{"x", "x", "x",
			&TopicPreferences{true, []TopicSubscription{{"x", "x"}}}, &TopicPreferences{true, []TopicSubscription{{"x", "x"}}}},
	}
	b, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var missing []string
	covered("", v, Type{Kind: Struct, Fields: Columns()}, &missing)
	if len(missing) > 0 {
		t.Errorf("Go type fields not in Columns(): %v", missing)
	}
	// And the reverse: every table path appears in the fully populated event.
	Walk(Columns(), func(path string, f Field) {
		if !jsonHasPath(v, path) {
			t.Errorf("Columns() path %s has no Go field", path)
		}
	})
}

// jsonHasPath follows a Walk path (a.b[].c{}) through v.
func jsonHasPath(v any, path string) bool {
	for _, seg := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		name := strings.TrimRight(seg, "[]{}")
		v, ok = m[name]
		if !ok {
			return false
		}
		for rest := seg[len(name):]; rest != ""; rest = rest[2:] {
			switch rest[:2] {
			case "[]":
				arr, isArr := v.([]any)
				if !isArr || len(arr) == 0 {
					return false
				}
				v = arr[0]
			case "{}":
				mm, isMap := v.(map[string]any)
				if !isMap {
					return false
				}
				for _, e := range mm {
					v = e
				}
			}
		}
	}
	return true
}

func TestColumnsHive(t *testing.T) {
	cols := Columns()
	got := map[string]string{}
	var names []string
	for _, c := range cols {
		got[c.Name] = c.Type.Hive()
		names = append(names, c.Name)
	}
	wantNames := "eventtype mail bounce complaint delivery reject open click failure deliverydelay subscription"
	if strings.Join(names, " ") != wantNames {
		t.Errorf("column names = %s\nwant %s", strings.Join(names, " "), wantNames)
	}
	want := map[string]string{
		"eventtype": "string",
		"mail": "struct<`timestamp`:string,source:string,sourcearn:string,sendingaccountid:string,messageid:string," +
			"destination:array<string>,headerstruncated:boolean,headers:array<struct<name:string,value:string>>," +
			"commonheaders:struct<`from`:array<string>,`to`:array<string>,cc:array<string>,bcc:array<string>,replyto:array<string>," +
			"returnpath:string,`date`:string,messageid:string,subject:string>,tags:map<string,array<string>>>",
		"bounce": "struct<bouncetype:string,bouncesubtype:string,bouncedrecipients:array<struct<emailaddress:string,action:string,status:string,diagnosticcode:string>>," +
			"`timestamp`:string,feedbackid:string,reportingmta:string>",
		"complaint": "struct<complainedrecipients:array<struct<emailaddress:string>>,`timestamp`:string,feedbackid:string,complaintsubtype:string," +
			"useragent:string,complaintfeedbacktype:string,arrivaldate:string>",
		"delivery": "struct<`timestamp`:string,processingtimemillis:bigint,recipients:array<string>,smtpresponse:string,reportingmta:string>",
		"reject":   "struct<reason:string>",
		"open":     "struct<ipaddress:string,`timestamp`:string,useragent:string>",
		"click":    "struct<ipaddress:string,`timestamp`:string,useragent:string,link:string,linktags:map<string,array<string>>>",
		"failure":  "struct<templatename:string,errormessage:string>",
		"deliverydelay": "struct<`timestamp`:string,delaytype:string,expirationtime:string,reportingmta:string," +
			"delayedrecipients:array<struct<emailaddress:string,status:string,diagnosticcode:string>>>",
		"subscription": "struct<contactlist:string,`timestamp`:string,source:string," +
			"newtopicpreferences:struct<unsubscribeall:boolean,topicsubscriptionstatus:array<struct<topicname:string,subscriptionstatus:string>>>," +
			"oldtopicpreferences:struct<unsubscribeall:boolean,topicsubscriptionstatus:array<struct<topicname:string,subscriptionstatus:string>>>>",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s:\n got %s\nwant %s", name, got[name], w)
		}
	}
}

func TestColumnNames(t *testing.T) {
	Walk(Columns(), func(path string, f Field) {
		if f.Name != strings.ToLower(f.Name) {
			t.Errorf("%s: name %q is not lower-case", path, f.Name)
		}
		if f.NeedsMapping() {
			t.Errorf("%s: %q needs a mapping.* property for %q; the table avoids them", path, f.Name, f.JSONKey)
		}
		if f.Doc == "" {
			t.Errorf("%s: no Doc", path)
		}
		for _, c := range f.Name {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				t.Errorf("%s: name %q has %q, not allowed in Athena names", path, f.Name, c)
			}
		}
	})
	if !(Field{Name: "ses_configurationset", JSONKey: "ses:configuration-set"}).NeedsMapping() {
		t.Error("NeedsMapping false for a colon key")
	}
}

func TestQuoting(t *testing.T) {
	tests := []struct{ in, ddl, sel string }{
		{"from", "`from`", `"from"`},
		{"timestamp", "`timestamp`", "timestamp"},
		{"date", "`date`", "date"},
		{"to", "`to`", "to"},
		{"end", "`end`", `"end"`},
		{"first", "first", `"first"`},
		{"source", "source", "source"},
		{"_hidden", "`_hidden`", "_hidden"},
	}
	for _, tt := range tests {
		if got := QuoteDDL(tt.in); got != tt.ddl {
			t.Errorf("QuoteDDL(%q) = %s, want %s", tt.in, got, tt.ddl)
		}
		if got := QuoteSelect(tt.in); got != tt.sel {
			t.Errorf("QuoteSelect(%q) = %s, want %s", tt.in, got, tt.sel)
		}
	}
}
