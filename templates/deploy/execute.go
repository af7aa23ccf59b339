package deploy

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Event is one stack event.
type Event struct {
	Time      time.Time
	LogicalID string
	Type      string
	Status    string
	Reason    string
}

// Output is one stack output.
type Output struct {
	Key, Value, Description string
}

// Result is how a stack operation ended.
type Result struct {
	Status  string
	OK      bool
	Outputs []Output
	// Failure is the first resource that failed (cancellations only when
	// nothing else failed); nil on success.
	Failure *Event
	// RolledBack is set when CloudFormation rolled the stack back.
	RolledBack bool
}

// Execute runs the change set and streams stack events to w until the
// stack reaches a terminal state.
func (c *Client) Execute(ctx context.Context, p *Plan, w io.Writer) (*Result, error) {
	s := &streamer{c: c, stackID: p.StackID, w: w, total: len(p.Changes), done: map[string]bool{}, actions: map[string]string{}}
	for _, ch := range p.Changes {
		s.actions[ch.LogicalID] = ch.Action
	}
	if err := s.baseline(ctx); err != nil {
		return nil, err
	}
	if _, err := c.CFN.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{
		ChangeSetName: aws.String(p.ChangeSetID), StackName: aws.String(p.StackID)}); err != nil {
		return nil, fmt.Errorf("execute change set %s: %w", p.ChangeSetName, err)
	}
	return s.run(ctx, successStatuses)
}

var successStatuses = []types.StackStatus{types.StackStatusCreateComplete, types.StackStatusUpdateComplete, types.StackStatusImportComplete}

// streamer polls DescribeStackEvents and prints events newer than the
// baseline, oldest first.
type streamer struct {
	c       *Client
	stackID string
	w       io.Writer
	last    string // newest event id already seen
	total   int
	done    map[string]bool
	events  []Event
	polls   int
	actions map[string]string // planned action per logical id
}

func (s *streamer) baseline(ctx context.Context) error {
	out, err := s.c.CFN.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(s.stackID)})
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("describe stack events: %w", err)
	}
	if len(out.StackEvents) > 0 {
		s.last = aws.ToString(out.StackEvents[0].EventId)
	}
	return nil
}

func (s *streamer) run(ctx context.Context, success []types.StackStatus) (*Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.c.timeout())
	defer cancel()
	for {
		if err := s.poll(ctx); err != nil {
			return nil, err
		}
		st, err := s.c.DescribeStack(ctx, s.stackID)
		if err != nil {
			return nil, err
		}
		if st == nil { // gone: only a delete gets here
			return &Result{Status: string(types.StackStatusDeleteComplete), OK: slices.Contains(success, types.StackStatusDeleteComplete)}, nil
		}
		s.polls++
		// Right after ExecuteChangeSet DescribeStacks may still report the
		// previous terminal status; trust it once the operation's first
		// event has arrived (or after a few polls, for emulators that
		// emit no events).
		if terminal(st.StackStatus) && (len(s.events) > 0 || s.polls >= 3) {
			if err := s.poll(ctx); err != nil {
				return nil, err
			}
			return s.result(st, success), nil
		}
		if err := s.c.sleep(ctx); err != nil {
			return nil, fmt.Errorf("wait for stack %s: %w", aws.ToString(st.StackName), err)
		}
	}
}

func terminal(st types.StackStatus) bool {
	s := string(st)
	return !strings.HasSuffix(s, "_IN_PROGRESS")
}

// poll fetches events newer than s.last and prints them oldest first.
func (s *streamer) poll(ctx context.Context) error {
	var fresh []types.StackEvent
	var token *string
	for {
		out, err := s.c.CFN.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{
			StackName: aws.String(s.stackID), NextToken: token})
		if err != nil {
			return fmt.Errorf("describe stack events: %w", err)
		}
		reached := false
		for _, e := range out.StackEvents {
			if aws.ToString(e.EventId) == s.last {
				reached = true
				break
			}
			fresh = append(fresh, e)
		}
		if reached || out.NextToken == nil {
			break
		}
		token = out.NextToken
	}
	if len(fresh) > 0 {
		s.last = aws.ToString(fresh[0].EventId)
	}
	for i := len(fresh) - 1; i >= 0; i-- {
		s.print(fresh[i])
	}
	return nil
}

func (s *streamer) print(e types.StackEvent) {
	ev := Event{Time: aws.ToTime(e.Timestamp), LogicalID: aws.ToString(e.LogicalResourceId),
		Type: aws.ToString(e.ResourceType), Status: string(e.ResourceStatus), Reason: aws.ToString(e.ResourceStatusReason)}
	s.events = append(s.events, ev)
	if s.finished(ev) {
		s.done[ev.LogicalID] = true
	}
	progress := ""
	if s.total > 0 {
		progress = fmt.Sprintf("[%d/%d] ", min(len(s.done), s.total), s.total)
	}
	fmt.Fprintf(s.w, "  %s%s  %-28s %-38s %s\n", progress, ev.Time.UTC().Format("15:04:05"), ev.Status, ev.Type, ev.LogicalID)
	if ev.Reason != "" && (strings.HasSuffix(ev.Status, "_FAILED") || strings.Contains(ev.Status, "ROLLBACK")) {
		fmt.Fprintf(s.w, "      reason: %s\n", ev.Reason)
	}
}

// finished reports whether an event completes the resource's planned
// change (a rollback's deletes do not count).
func (s *streamer) finished(ev Event) bool {
	action, planned := s.actions[ev.LogicalID]
	if !planned || ev.Type == "AWS::CloudFormation::Stack" {
		return false
	}
	if action == "Remove" {
		return ev.Status == "DELETE_COMPLETE"
	}
	switch ev.Status {
	case "CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE":
		return true
	}
	return false
}

func (s *streamer) result(st *types.Stack, success []types.StackStatus) *Result {
	r := &Result{Status: string(st.StackStatus), OK: slices.Contains(success, st.StackStatus),
		RolledBack: strings.Contains(string(st.StackStatus), "ROLLBACK")}
	for _, o := range st.Outputs {
		r.Outputs = append(r.Outputs, Output{Key: aws.ToString(o.OutputKey), Value: aws.ToString(o.OutputValue), Description: aws.ToString(o.Description)})
	}
	if !r.OK {
		r.Failure = firstFailure(s.events)
		if r.Failure == nil && st.StackStatusReason != nil {
			r.Failure = &Event{LogicalID: aws.ToString(st.StackName), Type: "AWS::CloudFormation::Stack",
				Status: string(st.StackStatus), Reason: aws.ToString(st.StackStatusReason)}
		}
	}
	return r
}

// firstFailure picks the earliest failed resource, preferring a real cause
// over the "Resource creation cancelled" failures that follow it.
func firstFailure(events []Event) *Event {
	var cancelled *Event
	for i := range events {
		e := &events[i]
		if !strings.HasSuffix(e.Status, "_FAILED") || e.Type == "AWS::CloudFormation::Stack" {
			continue
		}
		if strings.Contains(strings.ToLower(e.Reason), "cancelled") {
			if cancelled == nil {
				cancelled = e
			}
			continue
		}
		return e
	}
	return cancelled
}

// WriteFailure explains a failed stack operation.
func (r *Result) WriteFailure(w io.Writer, stack string) {
	if r.Failure != nil {
		fmt.Fprintf(w, "%s %s failed: %s\n", r.Failure.Type, r.Failure.LogicalID, quoteReason(r.Failure.Reason))
	}
	switch types.StackStatus(r.Status) {
	case types.StackStatusRollbackComplete:
		fmt.Fprintf(w, "CloudFormation rolled the stack back (ROLLBACK_COMPLETE): nothing was kept. Delete it with `sesctl destroy --stack %s` before trying again.\n", stack)
	case types.StackStatusUpdateRollbackComplete:
		fmt.Fprintln(w, "CloudFormation rolled the update back (UPDATE_ROLLBACK_COMPLETE): the stack is as it was before.")
	case types.StackStatusRollbackFailed, types.StackStatusUpdateRollbackFailed:
		fmt.Fprintf(w, "The rollback itself failed (%s); fix the resource above in the console or with `sesctl destroy --stack %s`.\n", r.Status, stack)
	default:
		fmt.Fprintf(w, "Stack %s ended in %s.\n", stack, r.Status)
	}
}

func quoteReason(s string) string {
	if s == "" {
		return "(no reason given)"
	}
	return fmt.Sprintf("%q", s)
}

// Outputs reads a stack's outputs.
func (c *Client) Outputs(ctx context.Context, stack string) ([]Output, error) {
	st, err := c.DescribeStack(ctx, stack)
	if err != nil || st == nil {
		return nil, err
	}
	var out []Output
	for _, o := range st.Outputs {
		out = append(out, Output{Key: aws.ToString(o.OutputKey), Value: aws.ToString(o.OutputValue), Description: aws.ToString(o.Description)})
	}
	return out, nil
}
