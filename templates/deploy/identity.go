package deploy

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
)

// SetDefaultConfigurationSet makes configSet the default configuration set
// of an SES identity (domain or address), so mail sent from it publishes
// events without naming the set on every send.
func (c *Client) SetDefaultConfigurationSet(ctx context.Context, identity, configSet string) error {
	if c.SES == nil {
		return fmt.Errorf("set default configuration set of %s: no SESv2 client", identity)
	}
	_, err := c.SES.PutEmailIdentityConfigurationSetAttributes(ctx, &sesv2.PutEmailIdentityConfigurationSetAttributesInput{
		EmailIdentity:        aws.String(identity),
		ConfigurationSetName: aws.String(configSet),
	})
	if err != nil {
		return fmt.Errorf("make %s the default configuration set of %s: %w", configSet, identity, err)
	}
	return nil
}
