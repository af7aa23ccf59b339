// Package awsenv loads the AWS SDK configuration from the standard
// credential chain plus sesctl's --region, --profile and --endpoint-url.
package awsenv

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/pflag"
)

// Options are the global AWS flags.
type Options struct {
	Region      string
	Profile     string
	EndpointURL string
	// HTTPClient, when set, replaces the SDK's HTTP client (wire tests).
	HTTPClient aws.HTTPClient
	// Credentials, when set, replaces the credential chain (tests).
	Credentials aws.CredentialsProvider
}

// AddFlags registers --region, --profile and --endpoint-url.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Region, "region", "", "AWS region (default: from AWS_REGION or the profile)")
	fs.StringVar(&o.Profile, "profile", "", "AWS shared-config profile (default: AWS_PROFILE or default)")
	fs.StringVar(&o.EndpointURL, "endpoint-url", "", "send AWS requests to this URL (MinIO, moto, a VPC endpoint)")
}

// Load resolves the SDK configuration. The endpoint URL is applied as the
// BaseEndpoint so every service client created from the config uses it.
func (o *Options) Load(ctx context.Context) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(o.HTTPClient))
	}
	if o.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(o.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if o.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(o.EndpointURL)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("no AWS region: pass --region or set AWS_REGION")
	}
	return cfg, nil
}

// StaticHTTPClient adapts a RoundTripper for tests.
func StaticHTTPClient(rt http.RoundTripper) aws.HTTPClient { return &http.Client{Transport: rt} }
