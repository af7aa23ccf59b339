package deploy

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Input is what to deploy.
type Input struct {
	Stack        string
	TemplateBody string
	Parameters   map[string]string
	Tags         map[string]string
}

// Change is one resource the change set touches.
type Change struct {
	Action     string // Add, Modify, Remove, Import, Dynamic
	LogicalID  string
	Type       string
	PhysicalID string
	// Replacement is True, False or Conditional for Modify.
	Replacement string
}

// Plan is a created (not yet executed) change set.
type Plan struct {
	Stack         string
	StackID       string
	ChangeSetID   string
	ChangeSetName string
	Type          string // CREATE or UPDATE
	Changes       []Change
	// NoChanges is set when CloudFormation found nothing to do; the empty
	// change set has already been deleted.
	NoChanges bool
}

// Plan creates a change set for in and waits until CloudFormation has
// computed it. A stack that does not exist (or only exists as an unexecuted
// REVIEW_IN_PROGRESS shell) gets a CREATE change set, any other an UPDATE.
func (c *Client) Plan(ctx context.Context, in Input) (*Plan, error) {
	csType, err := c.changeSetType(ctx, in.Stack)
	if err != nil {
		return nil, err
	}
	now := c.now().UTC()
	name := fmt.Sprintf("sesctl-%s-%03d", now.Format("20060102-150405"), now.Nanosecond()/1e6)
	out, err := c.CFN.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(in.Stack),
		ChangeSetName: aws.String(name),
		ChangeSetType: csType,
		TemplateBody:  aws.String(in.TemplateBody),
		Parameters:    parameters(in.Parameters),
		Tags:          tags(in.Tags),
		Capabilities:  []types.Capability{types.CapabilityCapabilityIam, types.CapabilityCapabilityNamedIam},
		Description:   aws.String("sesctl provision"),
	})
	if err != nil {
		return nil, fmt.Errorf("create change set for stack %s: %w", in.Stack, err)
	}
	p := &Plan{Stack: in.Stack, StackID: aws.ToString(out.StackId), ChangeSetID: aws.ToString(out.Id),
		ChangeSetName: name, Type: string(csType)}
	if err := c.waitChangeSet(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (c *Client) changeSetType(ctx context.Context, stack string) (types.ChangeSetType, error) {
	st, err := c.DescribeStack(ctx, stack)
	if err != nil {
		return "", err
	}
	if st == nil || st.StackStatus == types.StackStatusReviewInProgress {
		return types.ChangeSetTypeCreate, nil
	}
	status := string(st.StackStatus)
	switch {
	case st.StackStatus == types.StackStatusRollbackComplete, st.StackStatus == types.StackStatusRollbackFailed,
		st.StackStatus == types.StackStatusCreateFailed:
		return "", fmt.Errorf("stack %s is %s after a failed create and cannot be updated; run `sesctl destroy --stack %s` first", stack, status, stack)
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		return "", fmt.Errorf("stack %s is busy (%s); wait for it to finish", stack, status)
	case st.StackStatus == types.StackStatusDeleteFailed:
		return "", fmt.Errorf("stack %s is %s; run `sesctl destroy --stack %s` again", stack, status, stack)
	}
	return types.ChangeSetTypeUpdate, nil
}

// DescribeStack returns the stack, or nil when it does not exist.
func (c *Client) DescribeStack(ctx context.Context, stack string) (*types.Stack, error) {
	out, err := c.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe stack %s: %w", stack, err)
	}
	if len(out.Stacks) == 0 {
		return nil, nil
	}
	return &out.Stacks[0], nil
}

// noChangeReasons are CloudFormation's texts for an empty change set.
var noChangeReasons = []string{"didn't contain changes", "No updates are to be performed"}

func (c *Client) waitChangeSet(ctx context.Context, p *Plan) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	for {
		out, err := c.CFN.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{
			ChangeSetName: aws.String(p.ChangeSetID), StackName: aws.String(p.StackID)})
		if err != nil {
			return fmt.Errorf("describe change set %s: %w", p.ChangeSetName, err)
		}
		switch out.Status {
		case types.ChangeSetStatusCreateComplete:
			return c.collectChanges(ctx, p, out)
		case types.ChangeSetStatusFailed:
			return c.failedChangeSet(ctx, p, aws.ToString(out.StatusReason))
		}
		if err := c.sleep(ctx); err != nil {
			return fmt.Errorf("wait for change set %s: %w", p.ChangeSetName, err)
		}
	}
}

func (c *Client) failedChangeSet(ctx context.Context, p *Plan, reason string) error {
	for _, r := range noChangeReasons {
		if strings.Contains(reason, r) {
			p.NoChanges = true
			if _, err := c.CFN.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{
				ChangeSetName: aws.String(p.ChangeSetID), StackName: aws.String(p.StackID)}); err != nil {
				return fmt.Errorf("delete empty change set %s: %w", p.ChangeSetName, err)
			}
			return nil
		}
	}
	return fmt.Errorf("change set %s failed: %s", p.ChangeSetName, reason)
}

func (c *Client) collectChanges(ctx context.Context, p *Plan, out *cloudformation.DescribeChangeSetOutput) error {
	for {
		for _, ch := range out.Changes {
			if rc := ch.ResourceChange; rc != nil {
				p.Changes = append(p.Changes, Change{Action: string(rc.Action), LogicalID: aws.ToString(rc.LogicalResourceId),
					Type: aws.ToString(rc.ResourceType), PhysicalID: aws.ToString(rc.PhysicalResourceId),
					Replacement: string(rc.Replacement)})
			}
		}
		if out.NextToken == nil {
			break
		}
		var err error
		out, err = c.CFN.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{
			ChangeSetName: aws.String(p.ChangeSetID), StackName: aws.String(p.StackID), NextToken: out.NextToken})
		if err != nil {
			return fmt.Errorf("describe change set %s: %w", p.ChangeSetName, err)
		}
	}
	if len(p.Changes) == 0 {
		return c.failedChangeSet(ctx, p, noChangeReasons[0])
	}
	return nil
}

// Discard deletes an unexecuted change set. For a CREATE change set the
// empty REVIEW_IN_PROGRESS stack shell is deleted too.
func (c *Client) Discard(ctx context.Context, p *Plan) error {
	if _, err := c.CFN.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{
		ChangeSetName: aws.String(p.ChangeSetID), StackName: aws.String(p.StackID)}); err != nil {
		return fmt.Errorf("delete change set %s: %w", p.ChangeSetName, err)
	}
	if p.Type != string(types.ChangeSetTypeCreate) {
		return nil
	}
	if _, err := c.CFN.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String(p.StackID)}); err != nil {
		return fmt.Errorf("delete empty stack %s: %w", p.Stack, err)
	}
	return nil
}

// Write prints the plan: one line per resource, replacements flagged.
func (p *Plan) Write(w io.Writer) {
	if p.NoChanges {
		fmt.Fprintf(w, "Stack %s: no changes; the deployed stack already matches the template.\n", p.Stack)
		return
	}
	fmt.Fprintf(w, "Plan for stack %s (%s), change set %s:\n", p.Stack, strings.ToLower(p.Type), p.ChangeSetName)
	changes := append([]Change(nil), p.Changes...)
	sort.SliceStable(changes, func(i, j int) bool { return actionOrder(changes[i].Action) < actionOrder(changes[j].Action) })
	typeWidth := 0
	for _, ch := range changes {
		typeWidth = max(typeWidth, len(ch.Type))
	}
	for _, ch := range changes {
		fmt.Fprintf(w, "  %s %-7s %-*s  %s%s\n", actionSymbol(ch.Action), ch.Action, typeWidth, ch.Type, ch.LogicalID, replacementNote(ch))
	}
	add, mod, rem, repl := p.Counts()
	fmt.Fprintf(w, "%d to add, %d to modify (%d replaced), %d to remove.\n", add, mod, repl, rem)
}

// Counts returns how many resources are added, modified, removed and
// (possibly) replaced.
func (p *Plan) Counts() (add, modify, remove, replace int) {
	for _, ch := range p.Changes {
		switch ch.Action {
		case "Add", "Import":
			add++
		case "Modify", "Dynamic":
			modify++
			if ch.Replacement == "True" || ch.Replacement == "Conditional" {
				replace++
			}
		case "Remove":
			remove++
		}
	}
	return
}

func replacementNote(ch Change) string {
	switch ch.Replacement {
	case "True":
		return "  ** REPLACEMENT: deleted and created anew **"
	case "Conditional":
		return "  ** may be replaced **"
	}
	return ""
}

func actionSymbol(a string) string {
	switch a {
	case "Add", "Import":
		return "+"
	case "Remove":
		return "-"
	}
	return "~"
}

func actionOrder(a string) int {
	switch a {
	case "Add", "Import":
		return 0
	case "Modify", "Dynamic":
		return 1
	}
	return 2
}

func parameters(m map[string]string) []types.Parameter {
	if len(m) == 0 {
		return nil
	}
	keys := sortedKeys(m)
	out := make([]types.Parameter, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.Parameter{ParameterKey: aws.String(k), ParameterValue: aws.String(m[k])})
	}
	return out
}

func tags(m map[string]string) []types.Tag {
	if len(m) == 0 {
		return nil
	}
	keys := sortedKeys(m)
	out := make([]types.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
