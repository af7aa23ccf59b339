package deploy

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Resource is one resource of a deployed stack.
type Resource struct {
	LogicalID, PhysicalID, Type, Status string
}

// Resources lists the stack's resources.
func (c *Client) Resources(ctx context.Context, stack string) ([]Resource, error) {
	var out []Resource
	var token *string
	for {
		page, err := c.CFN.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack), NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("list resources of stack %s: %w", stack, err)
		}
		for _, r := range page.StackResourceSummaries {
			out = append(out, Resource{LogicalID: aws.ToString(r.LogicalResourceId), PhysicalID: aws.ToString(r.PhysicalResourceId),
				Type: aws.ToString(r.ResourceType), Status: string(r.ResourceStatus)})
		}
		if page.NextToken == nil {
			return out, nil
		}
		token = page.NextToken
	}
}

// EmptyBucket deletes every object version and delete marker in bucket and
// returns how many it removed.
func (c *Client) EmptyBucket(ctx context.Context, bucket string) (int, error) {
	if c.S3 == nil {
		return 0, fmt.Errorf("empty bucket %s: no S3 client", bucket)
	}
	n := 0
	for {
		page, err := c.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(1000)})
		if err != nil {
			return n, fmt.Errorf("list objects in %s: %w", bucket, err)
		}
		var ids []s3types.ObjectIdentifier
		for _, v := range page.Versions {
			ids = append(ids, s3types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
		}
		for _, m := range page.DeleteMarkers {
			ids = append(ids, s3types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
		}
		if len(ids) == 0 {
			return n, nil
		}
		out, err := c.S3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket),
			Delete: &s3types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return n, fmt.Errorf("delete objects in %s: %w", bucket, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return n, fmt.Errorf("delete %s in %s: %s", aws.ToString(e.Key), bucket, aws.ToString(e.Message))
		}
		n += len(ids)
	}
}

// Destroy deletes the stack (by id, so its final status stays readable) and
// streams events to w until it is gone or the delete failed.
func (c *Client) Destroy(ctx context.Context, stackID string, w io.Writer) (*Result, error) {
	s := &streamer{c: c, stackID: stackID, w: w, done: map[string]bool{}, actions: map[string]string{}}
	if err := s.baseline(ctx); err != nil {
		return nil, err
	}
	if _, err := c.CFN.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(stackID)}); err != nil {
		return nil, fmt.Errorf("delete stack %s: %w", stackID, err)
	}
	return s.run(ctx, []cfntypes.StackStatus{cfntypes.StackStatusDeleteComplete})
}
