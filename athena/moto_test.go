package athena

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkathena "github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sesctl/sesctl/internal/testutil/moto"
	"github.com/sesctl/sesctl/pipeline"
)

// glueTableInput is the Glue TableInput of a derived table, as the
// CloudFormation template declares it.
func glueTableInput(td *TableDef) *gluetypes.TableInput {
	var cols []gluetypes.Column
	for _, c := range td.GlueColumns() {
		cols = append(cols, gluetypes.Column{Name: aws.String(c.Name), Type: aws.String(c.Type)})
	}
	var keys []gluetypes.Column
	for _, k := range td.PartitionKeys {
		keys = append(keys, gluetypes.Column{Name: aws.String(k.Name), Type: aws.String(k.Type)})
	}
	return &gluetypes.TableInput{
		Name:          aws.String(td.Name),
		TableType:     aws.String("EXTERNAL_TABLE"),
		Parameters:    td.TableParameters,
		PartitionKeys: keys,
		StorageDescriptor: &gluetypes.StorageDescriptor{
			Columns: cols, Location: aws.String(td.Location),
			InputFormat: aws.String(td.InputFormat), OutputFormat: aws.String(td.OutputFormat),
			SerdeInfo: &gluetypes.SerDeInfo{SerializationLibrary: aws.String(td.SerdeLibrary), Parameters: td.SerdeParameters},
		},
	}
}

// TestMotoGlueAndAthenaFlow runs the API flow against moto_server: the
// derived table is created in Glue and read back unchanged; a canned query
// lists identities from S3, runs through StartQueryExecution,
// GetQueryExecution and GetQueryResults, and returns the rows moto was
// seeded with (moto does not execute SQL).
func TestMotoGlueAndAthenaFlow(t *testing.T) {
	srv := moto.Start(t)
	cfg := srv.Config(t)
	ctx := context.Background()

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lake")}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		"events/a.example/Bounce/2024/03/08/sesctl-events-1-2024-03-08-10-00-00-x.gz",
		"events/b.example/Send/2024/03/08/sesctl-events-1-2024-03-08-10-00-00-y.gz",
		"errors/metadata-extraction-failed/2024/03/08/sesctl-events-1-2024-03-08-10-00-00-z.gz",
	} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("lake"), Key: aws.String(key), Body: strings.NewReader("{}\n")}); err != nil {
			t.Fatal(err)
		}
	}

	spec := pipeline.DefaultSpec()
	gc := glue.NewFromConfig(cfg)
	for _, derive := range []func(pipeline.Spec, TableOptions) (*TableDef, error){DeriveTable, DeriveErrorTable} {
		td, err := derive(spec, TableOptions{Location: "s3://lake/"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gc.CreateDatabase(ctx, &glue.CreateDatabaseInput{DatabaseInput: &gluetypes.DatabaseInput{Name: aws.String(td.Database)}}); err != nil && !strings.Contains(err.Error(), "AlreadyExists") {
			t.Fatal(err)
		}
		in := glueTableInput(td)
		if _, err := gc.CreateTable(ctx, &glue.CreateTableInput{DatabaseName: aws.String(td.Database), TableInput: in}); err != nil {
			t.Fatal(err)
		}
		got, err := gc.GetTable(ctx, &glue.GetTableInput{DatabaseName: aws.String(td.Database), Name: aws.String(td.Name)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Table.Parameters, td.TableParameters) {
			t.Errorf("%s parameters round-trip\n got %v\nwant %v", td.Name, got.Table.Parameters, td.TableParameters)
		}
		if n := len(got.Table.StorageDescriptor.Columns); n != len(td.Columns) {
			t.Errorf("%s: %d columns, want %d", td.Name, n, len(td.Columns))
		}
		for i, c := range got.Table.PartitionKeys {
			if aws.ToString(c.Name) != td.PartitionKeys[i].Name {
				t.Errorf("%s partition key %d: %s", td.Name, i, aws.ToString(c.Name))
			}
		}
	}

	seed := map[string]any{"account_id": "123456789012", "region": moto.Region, "results": []any{map[string]any{
		"rows": []any{
			map[string]any{"Data": []any{map[string]any{"VarCharValue": "sender_identity"}, map[string]any{"VarCharValue": "recipient"}}},
			map[string]any{"Data": []any{map[string]any{"VarCharValue": "a.example"}, map[string]any{"VarCharValue": "x@y.test"}}},
		},
		"column_info": []any{
			map[string]any{"Name": "sender_identity", "Type": "varchar", "Nullable": "UNKNOWN", "CaseSensitive": true},
			map[string]any{"Name": "recipient", "Type": "varchar", "Nullable": "UNKNOWN", "CaseSensitive": true},
		},
	}}}
	body, _ := json.Marshal(seed)
	resp, err := http.Post(srv.Endpoint+"/moto-api/static/athena/query-results", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("seeding moto: %s", resp.Status)
	}

	var progress bytes.Buffer
	r := NewAthenaRunner(cfg, AthenaOptions{Spec: spec, Location: "s3://lake/", WorkGroup: "primary",
		OutputLocation: "s3://lake-results/", Progress: &progress, PollInitial: 10 * time.Millisecond})
	bounces, _ := Lookup("bounces")
	res, err := r.Run(ctx, bounces, Params{From: day("2024-03-08"), To: day("2024-03-08")})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"a.example", "x@y.test"}}; !reflect.DeepEqual(res.Rows, want) {
		t.Errorf("rows %v, want %v", res.Rows, want)
	}
	if !strings.Contains(progress.String(), "listed sender_identity in s3://lake/") || !strings.Contains(progress.String(), "scanned") {
		t.Errorf("progress %q", progress.String())
	}
	// The query moto recorded names the listed identities.
	ac := sdkathena.NewFromConfig(cfg)
	list, err := ac.ListQueryExecutions(ctx, &sdkathena.ListQueryExecutionsInput{WorkGroup: aws.String("primary")})
	if err != nil || len(list.QueryExecutionIds) == 0 {
		t.Fatalf("list query executions: %v %v", list, err)
	}
	qe, err := ac.GetQueryExecution(ctx, &sdkathena.GetQueryExecutionInput{QueryExecutionId: aws.String(list.QueryExecutionIds[0])})
	if err != nil {
		t.Fatal(err)
	}
	sql := aws.ToString(qe.QueryExecution.Query)
	if !strings.Contains(sql, `e."sender_identity" IN ('a.example', 'b.example')`) || aws.ToString(qe.QueryExecution.QueryExecutionContext.Database) != "sesctl" {
		t.Errorf("recorded query:\n%s", sql)
	}
}
