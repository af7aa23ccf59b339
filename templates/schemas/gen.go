//go:build ignore

// gen.go copies the CloudFormation registry resource schemas sesctl
// validates against out of the pinned github.com/aws-cloudformation/rain
// module (Apache-2.0) into aws/<service>/<type>.json, with rain's LICENSE
// and NOTICE. Run it with `go generate ./templates/schemas/`.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

const module = "github.com/aws-cloudformation/rain@v1.23.1"

// types are the resource types sesctl knows; every other type is reported
// as "unknown type" (info) by `sesctl template validate`.
var types = []string{
	"athena/namedquery", "athena/workgroup",
	"cloudwatch/alarm",
	"events/rule",
	"glue/database", "glue/table",
	"iam/managedpolicy", "iam/policy", "iam/role", "iam/rolepolicy",
	"kinesisfirehose/deliverystream",
	"kms/alias", "kms/key",
	"lambda/function", "lambda/permission",
	"logs/loggroup", "logs/logstream",
	"s3/bucket", "s3/bucketpolicy",
	"ses/configurationset", "ses/configurationseteventdestination", "ses/emailidentity",
	"sns/topic", "sns/topicpolicy",
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	out, err := exec.Command("go", "mod", "download", "-json", module).Output()
	if err != nil {
		return fmt.Errorf("go mod download %s: %w", module, err)
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		return fmt.Errorf("go mod download %s: no directory (%v)", module, err)
	}
	for _, f := range []string{"LICENSE", "NOTICE"} {
		if err := copyFile(filepath.Join(info.Dir, f), f); err != nil {
			return err
		}
	}
	src := filepath.Join(info.Dir, "internal", "aws", "cfn", "schemas", "aws")
	for _, t := range types {
		dst := filepath.Join("aws", filepath.FromSlash(t)+".json")
		if err := copyFile(filepath.Join(src, filepath.FromSlash(t)+".json"), dst); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	if bytes.HasPrefix(b, []byte("{")) && !json.Valid(b) {
		return fmt.Errorf("%s is not valid JSON", src)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
