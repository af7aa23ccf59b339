package cfnyaml

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestShortFormsMatchLongForms(t *testing.T) {
	tests := []struct {
		name, yaml, json string
	}{
		{"ref", `A: !Ref Bucket`, `{"A":{"Ref":"Bucket"}}`},
		{"ref number-looking", `A: !Ref 123`, `{"A":{"Ref":"123"}}`},
		{"getatt dotted", `A: !GetAtt Bucket.Arn`, `{"A":{"Fn::GetAtt":["Bucket","Arn"]}}`},
		{"getatt nested attribute", `A: !GetAtt Db.Endpoint.Address`, `{"A":{"Fn::GetAtt":["Db","Endpoint.Address"]}}`},
		{"getatt list", `A: !GetAtt [Bucket, Arn]`, `{"A":{"Fn::GetAtt":["Bucket","Arn"]}}`},
		{"sub scalar", `A: !Sub "arn:${AWS::Partition}:s3:::${B}/*"`, `{"A":{"Fn::Sub":"arn:${AWS::Partition}:s3:::${B}/*"}}`},
		{"sub list", "A: !Sub\n  - '${X}-y'\n  - X: !Ref Z", `{"A":{"Fn::Sub":["${X}-y",{"X":{"Ref":"Z"}}]}}`},
		{"join", `A: !Join ["", ["s3://", !Ref B, "/"]]`, `{"A":{"Fn::Join":["",["s3://",{"Ref":"B"},"/"]]}}`},
		{"if", `A: !If [C, 1, !Ref AWS::NoValue]`, `{"A":{"Fn::If":["C",1,{"Ref":"AWS::NoValue"}]}}`},
		{"conditions", `C: !And [!Equals [!Ref P, "x"], !Not [!Condition D]]`,
			`{"C":{"Fn::And":[{"Fn::Equals":[{"Ref":"P"},"x"]},{"Fn::Not":[{"Condition":"D"}]}]}}`},
		{"select split", `A: !Select [0, !Split [",", !Ref L]]`, `{"A":{"Fn::Select":[0,{"Fn::Split":[",",{"Ref":"L"}]}]}}`},
		{"findinmap", `A: !FindInMap [M, K, V]`, `{"A":{"Fn::FindInMap":["M","K","V"]}}`},
		{"getazs empty", `A: !GetAZs ""`, `{"A":{"Fn::GetAZs":""}}`},
		{"base64 importvalue", `A: !Base64 {"Fn::ImportValue": X}`, `{"A":{"Fn::Base64":{"Fn::ImportValue":"X"}}}`},
		{"cidr", `A: !Cidr ["10.0.0.0/16", 4, 8]`, `{"A":{"Fn::Cidr":["10.0.0.0/16",4,8]}}`},
		{"scalars", "A: 5\nB: true\nC: '5'\nD: ~\nE: 2012-10-17\nF: 1.5", `{"A":5,"B":true,"C":"5","D":null,"E":"2012-10-17","F":1.5}`},
		{"json input", `{"A": {"Ref": "B"}, "N": [1, "x"]}`, `{"A":{"Ref":"B"},"N":[1,"x"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, probs, err := Parse([]byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if len(probs) != 0 {
				t.Fatalf("problems: %+v", probs)
			}
			got, err := json.Marshal(n)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.json {
				t.Errorf("got  %s\nwant %s", got, tt.json)
			}
			var a, b any
			if err := json.Unmarshal(got, &a); err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal([]byte(tt.json), &b)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("structures differ")
			}
		})
	}
}

func TestLinesAndIntrinsic(t *testing.T) {
	src := "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-x'\n"
	n, _, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	e := n.Path("Resources", "B", "Properties").Entry("BucketName")
	if e == nil || e.Line != 5 || e.Column != 7 {
		t.Fatalf("entry = %+v", e)
	}
	fn, arg, ok := e.Value.Intrinsic()
	if !ok || fn != "Fn::Sub" || arg.Value != "${AWS::StackName}-x" {
		t.Errorf("intrinsic = %q %+v %v", fn, arg, ok)
	}
	if n.Path("Resources", "B", "Type").Line != 3 {
		t.Errorf("Type line = %d", n.Path("Resources", "B", "Type").Line)
	}
	if n.Path("Resources", "Nope", "Type") != nil {
		t.Error("missing path should be nil")
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name, src, rule string
		line            int
	}{
		{"duplicate key", "A: 1\nB: 2\nA: 3\n", "template.duplicate-key", 3},
		{"alias", "A: &x {K: 1}\nB: *x\n", "template.yaml-alias", 2},
		{"unknown tag", "A: !Reff B\n", "template.tag", 1},
		{"second document", "A: 1\n---\nB: 2\n", "template.multiple-documents", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs, err := Parse([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if len(probs) != 1 || probs[0].Rule != tt.rule || probs[0].Line != tt.line {
				t.Errorf("problems = %+v, want one %s at line %d", probs, tt.rule, tt.line)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
	}{
		{"empty", "", 0},
		{"comment only", "# nothing\n", 0},
		{"list at top", "- a\n- b\n", 1},
		{"bad indentation", "A:\n  B: 1\n C: 2\n", 2},
		{"unclosed flow", "A: [1, 2\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tt.src))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SyntaxError", err)
			}
			if se.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", se.Line, tt.line, se)
			}
		})
	}
}

func TestInterfaceReplacesIntrinsics(t *testing.T) {
	n, _, err := Parse([]byte("A: !Ref X\nB: [!Ref AWS::NoValue, 2]\nC: {D: !If [c, 1, 2]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := n.Interface(func(fn string, arg *Node) any {
		if fn == "Ref" && arg.Value == "AWS::NoValue" {
			return Omit
		}
		return "<" + fn + ">"
	})
	want := map[string]any{"A": "<Ref>", "B": []any{json.Number("2")}, "C": map[string]any{"D": "<Fn::If>"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v", got)
	}
}

func TestScalarAccessors(t *testing.T) {
	n, _, err := Parse([]byte("a: 64\nb: '64'\nc: true\nd: 'True'\ne: x\nf: [1]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b"} {
		if v, ok := n.Get(k).IntValue(); !ok || v != 64 {
			t.Errorf("%s IntValue = %d %v", k, v, ok)
		}
	}
	for _, k := range []string{"c", "d"} {
		if v, ok := n.Get(k).BoolValue(); !ok || !v {
			t.Errorf("%s BoolValue = %v %v", k, v, ok)
		}
	}
	if _, ok := n.Get("e").IntValue(); ok {
		t.Error("e is not an int")
	}
	if _, ok := n.Get("f").Str(); ok {
		t.Error("a list is not a scalar")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"Resources:\n  B:\n    Type: AWS::S3::Bucket\n",
		"A: !GetAtt B.Arn\nC: !Sub [x, {y: !Ref z}]\n",
		`{"A": [1, {"Fn::Join": ["", []]}]}`,
		"A: &a [*a]\n",
		"A: !If\n",
		"- 1\n",
		"A: !!binary aGVsbG8=\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, _, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is %T, want *SyntaxError", err)
			}
			return
		}
		if n.Kind != Map {
			t.Fatalf("root kind %v", n.Kind)
		}
		out, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON %s", out)
		}
		_ = n.Interface(nil)
	})
}
