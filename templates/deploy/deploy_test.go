package deploy

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

const tinyTemplate = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"

const changeSetID = "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/sesctl-20261122-100000-000/cs1"

func createdChangeSet() reply {
	return cfnOK("CreateChangeSet", "<Id>"+changeSetID+"</Id><StackId>"+stackID+"</StackId>")
}

func changeSet(status, reason, changes string) reply {
	return cfnOK("DescribeChangeSet", "<ChangeSetName>sesctl-20261122-100000-000</ChangeSetName><ChangeSetId>"+changeSetID+
		"</ChangeSetId><StackId>"+stackID+"</StackId><Status>"+status+"</Status><StatusReason>"+reason+
		"</StatusReason><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes>"+changes+"</Changes>")
}

func resourceChange(action, logical, typ, replacement string) string {
	return "<member><Type>Resource</Type><ResourceChange><Action>" + action + "</Action><LogicalResourceId>" + logical +
		"</LogicalResourceId><ResourceType>" + typ + "</ResourceType><Replacement>" + replacement + "</Replacement></ResourceChange></member>"
}

func TestProvisionCreate(t *testing.T) {
	s := newStub()
	s.on("DescribeStacks",
		cfnErr("ValidationError", "Stack with id sesctl does not exist"),
		stack("CREATE_IN_PROGRESS"),
		stack("CREATE_COMPLETE", [2]string{"BucketName", "sesctl-events-123"}))
	s.on("CreateChangeSet", createdChangeSet())
	s.on("DescribeChangeSet",
		changeSet("CREATE_IN_PROGRESS", "", ""),
		changeSet("CREATE_COMPLETE", "", resourceChange("Add", "Bucket", "AWS::S3::Bucket", "")))
	s.on("DescribeStackEvents",
		events(ev{"e0", "sesctl", "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS", "User Initiated"}),
		events(ev{"e2", "Bucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", ""},
			ev{"e1", "sesctl", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"},
			ev{"e0", "sesctl", "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS", "User Initiated"}),
		events(ev{"e4", "sesctl", "AWS::CloudFormation::Stack", "CREATE_COMPLETE", ""},
			ev{"e3", "Bucket", "AWS::S3::Bucket", "CREATE_COMPLETE", ""},
			ev{"e2", "Bucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", ""}))
	s.on("ExecuteChangeSet", cfnOK("ExecuteChangeSet", ""))
	c := s.client()
	ctx := context.Background()
	p, err := c.Plan(ctx, Input{Stack: "sesctl", TemplateBody: tinyTemplate, Tags: map[string]string{"sesctl:stack": "sesctl"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Type != "CREATE" || p.NoChanges || len(p.Changes) != 1 || p.Changes[0].LogicalID != "Bucket" {
		t.Fatalf("plan = %+v", p)
	}
	var plan bytes.Buffer
	p.Write(&plan)
	wantPlan := "Plan for stack sesctl (create), change set sesctl-20261122-100000-000:\n" +
		"  + Add     AWS::S3::Bucket  Bucket\n" +
		"1 to add, 0 to modify (0 replaced), 0 to remove.\n"
	if plan.String() != wantPlan {
		t.Errorf("plan text:\n%s\nwant:\n%s", plan.String(), wantPlan)
	}
	var progress bytes.Buffer
	res, err := c.Execute(ctx, p, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Status != "CREATE_COMPLETE" || len(res.Outputs) != 1 || res.Outputs[0].Value != "sesctl-events-123" {
		t.Errorf("result = %+v", res)
	}
	wantProgress := []string{
		"[0/1] 10:08:00  CREATE_IN_PROGRESS           AWS::CloudFormation::Stack             sesctl",
		"[0/1] 10:09:00  CREATE_IN_PROGRESS           AWS::S3::Bucket                        Bucket",
		"[1/1] 10:08:00  CREATE_COMPLETE              AWS::S3::Bucket                        Bucket",
		"[1/1] 10:09:00  CREATE_COMPLETE              AWS::CloudFormation::Stack             sesctl",
	}
	if got := strings.TrimSpace(progress.String()); got != strings.Join(wantProgress, "\n  ") {
		t.Errorf("progress:\n%s", got)
	}
	golden(t, "provision-create.txt", s.transcript())
}

func TestProvisionNoChanges(t *testing.T) {
	s := newStub()
	s.on("DescribeStacks", stack("UPDATE_COMPLETE"))
	s.on("CreateChangeSet", createdChangeSet())
	s.on("DescribeChangeSet", changeSet("FAILED",
		"The submitted information didn't contain changes. Submit different information to create a change set.", ""))
	s.on("DeleteChangeSet", cfnOK("DeleteChangeSet", ""))
	p, err := s.client().Plan(context.Background(), Input{Stack: "sesctl", TemplateBody: tinyTemplate})
	if err != nil {
		t.Fatal(err)
	}
	if !p.NoChanges || p.Type != "UPDATE" {
		t.Errorf("plan = %+v", p)
	}
	var out bytes.Buffer
	p.Write(&out)
	if !strings.Contains(out.String(), "no changes") {
		t.Errorf("plan text %q", out.String())
	}
	golden(t, "provision-no-changes.txt", s.transcript())
}

func TestProvisionFailureQuotesReasonAndRollback(t *testing.T) {
	s := newStub()
	s.on("DescribeStacks", stack("ROLLBACK_COMPLETE"))
	s.on("DescribeStackEvents",
		events(ev{"e0", "sesctl", "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS", ""}),
		events(
			ev{"e6", "sesctl", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", ""},
			ev{"e5", "Stream", "AWS::KinesisFirehose::DeliveryStream", "DELETE_COMPLETE", ""},
			ev{"e4", "sesctl", "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Stream, Role]."},
			ev{"e3", "Role", "AWS::IAM::Role", "CREATE_FAILED", "Resource creation cancelled"},
			ev{"e2", "Stream", "AWS::KinesisFirehose::DeliveryStream", "CREATE_FAILED", "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled."},
			ev{"e1", "sesctl", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", ""},
			ev{"e0", "sesctl", "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS", ""}))
	s.on("ExecuteChangeSet", cfnOK("ExecuteChangeSet", ""))
	p := &Plan{Stack: "sesctl", StackID: stackID, ChangeSetID: changeSetID, ChangeSetName: "cs", Type: "CREATE",
		Changes: []Change{{Action: "Add", LogicalID: "Stream"}, {Action: "Add", LogicalID: "Role"}}}
	var progress bytes.Buffer
	res, err := s.client().Execute(context.Background(), p, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || !res.RolledBack || res.Failure == nil || res.Failure.LogicalID != "Stream" {
		t.Fatalf("result = %+v", res)
	}
	var msg bytes.Buffer
	res.WriteFailure(&msg, "sesctl")
	for _, want := range []string{
		`AWS::KinesisFirehose::DeliveryStream Stream failed: "BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled."`,
		"ROLLBACK_COMPLETE", "sesctl destroy --stack sesctl",
	} {
		if !strings.Contains(msg.String(), want) {
			t.Errorf("failure text lacks %q:\n%s", want, msg.String())
		}
	}
	if !strings.Contains(progress.String(), "reason: BufferingHints.SizeInMBs") {
		t.Errorf("progress lacks the reason:\n%s", progress.String())
	}
	if !strings.Contains(progress.String(), "[0/2] 10:08:00  DELETE_COMPLETE") {
		t.Errorf("a rollback delete counted as progress:\n%s", progress.String())
	}
}

func TestPlanRefusesUnusableStacks(t *testing.T) {
	for status, want := range map[string]string{
		"ROLLBACK_COMPLETE":           "sesctl destroy --stack sesctl",
		"UPDATE_IN_PROGRESS":          "busy",
		"DELETE_FAILED":               "destroy",
		"CREATE_FAILED":               "failed create",
		"ROLLBACK_FAILED":             "failed create",
		"UPDATE_ROLLBACK_IN_PROGRESS": "busy",
	} {
		s := newStub()
		s.on("DescribeStacks", stack(status))
		_, err := s.client().Plan(context.Background(), Input{Stack: "sesctl", TemplateBody: tinyTemplate})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", status, err, want)
		}
	}
}

func TestDiscardCreateDeletesShell(t *testing.T) {
	s := newStub()
	s.on("DeleteChangeSet", cfnOK("DeleteChangeSet", ""))
	s.on("DeleteStack", cfnOK("DeleteStack", ""))
	err := s.client().Discard(context.Background(), &Plan{Stack: "sesctl", StackID: stackID, ChangeSetID: changeSetID, Type: "CREATE"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "discard-create.txt", s.transcript())
}

func TestDestroyEmptiesBucket(t *testing.T) {
	s := newStub()
	s.on("ListStackResources", cfnOK("ListStackResources", `<StackResourceSummaries>
<member><LogicalResourceId>EventsBucket</LogicalResourceId><PhysicalResourceId>sesctl-events-123</PhysicalResourceId><ResourceType>AWS::S3::Bucket</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus><LastUpdatedTimestamp>2026-11-22T10:00:00Z</LastUpdatedTimestamp></member>
<member><LogicalResourceId>Stream</LogicalResourceId><PhysicalResourceId>sesctl-events</PhysicalResourceId><ResourceType>AWS::KinesisFirehose::DeliveryStream</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus><LastUpdatedTimestamp>2026-11-22T10:00:00Z</LastUpdatedTimestamp></member>
</StackResourceSummaries>`))
	s.on("GET /?max-keys=1000&versions=",
		reply{200, `<ListVersionsResult><Name>sesctl-events-123</Name><Version><Key>events/a.gz</Key><VersionId>null</VersionId></Version><DeleteMarker><Key>events/b.gz</Key><VersionId>v2</VersionId></DeleteMarker></ListVersionsResult>`},
		reply{200, `<ListVersionsResult><Name>sesctl-events-123</Name></ListVersionsResult>`})
	s.on("POST /?delete=", reply{200, `<DeleteResult></DeleteResult>`})
	s.on("DescribeStackEvents",
		events(ev{"e1", "sesctl", "AWS::CloudFormation::Stack", "CREATE_COMPLETE", ""}),
		events(ev{"e3", "sesctl", "AWS::CloudFormation::Stack", "DELETE_COMPLETE", ""},
			ev{"e2", "sesctl", "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated"},
			ev{"e1", "sesctl", "AWS::CloudFormation::Stack", "CREATE_COMPLETE", ""}))
	s.on("DeleteStack", cfnOK("DeleteStack", ""))
	s.on("DescribeStacks", stack("DELETE_COMPLETE"))
	c := s.client()
	ctx := context.Background()
	rs, err := c.Resources(ctx, "sesctl")
	if err != nil || len(rs) != 2 {
		t.Fatalf("resources = %+v, %v", rs, err)
	}
	n, err := c.EmptyBucket(ctx, rs[0].PhysicalID)
	if err != nil || n != 2 {
		t.Fatalf("emptied %d, %v", n, err)
	}
	res, err := c.Destroy(ctx, stackID, &bytes.Buffer{})
	if err != nil || !res.OK || res.Status != "DELETE_COMPLETE" {
		t.Fatalf("destroy = %+v, %v", res, err)
	}
	golden(t, "destroy-empty-bucket.txt", s.transcript())
}

func TestSetDefaultConfigurationSet(t *testing.T) {
	s := newStub()
	s.on("PUT /v2/email/identities/example.com/configuration-set", reply{200, `{}`})
	if err := s.client().SetDefaultConfigurationSet(context.Background(), "example.com", "sesctl"); err != nil {
		t.Fatal(err)
	}
	golden(t, "ses-identity.txt", s.transcript())

	s = newStub()
	s.on("PUT /v2/email/identities/nope.example/configuration-set",
		reply{404, `{"message":"Email identity nope.example does not exist."}`})
	err := s.client().SetDefaultConfigurationSet(context.Background(), "nope.example", "sesctl")
	if err == nil || !strings.Contains(err.Error(), "nope.example") {
		t.Errorf("err = %v", err)
	}
}
