package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// A create whose request reached the API but whose answer never came (the connection
// dropped, the attempts timed out or met 5xx answers until the retries ran out) may or
// may not have made the object. Create then saves a placeholder: the planned values,
// with the ones known only after apply left null, and the request's idempotency key in
// the private state. Terraform marks it tainted, as it does every resource whose create
// failed. The next Read (Terraform refreshes tainted resources too) asks the API what
// became of the request: when it made the object, Read takes it over, and Terraform
// replaces it as tainted; when it did not, Read drops the placeholder and Terraform
// creates the object. Either way nothing is duplicated or orphaned. When the API cannot
// be asked, the placeholder and its key stay for the next run, and Delete keeps them
// too.

// idempotencyWindow is how long the API remembers an idempotency key.
const idempotencyWindow = 24 * time.Hour

// newPendingCreate is the pending create of a request about to be sent.
func newPendingCreate() *pendingCreate {
	return &pendingCreate{IdempotencyKey: client.NewIdempotencyKey(), SentAt: time.Now().UTC().Truncate(time.Second)}
}

// isOutcomeUnknown reports whether err leaves open whether a create made its object.
func isOutcomeUnknown(err error) bool {
	var unknown *client.OutcomeUnknownError
	return errors.As(err, &unknown)
}

// keepPlaceholder saves the state of a create whose outcome is unknown
// (savePlaceholder), and says so.
func (k resourceKind) keepPlaceholder(ctx context.Context, plan tfsdk.Plan, resp *resource.CreateResponse, pending *pendingCreate, name string, err error) {
	resp.Diagnostics.Append(savePlaceholder(ctx, plan, &resp.State, resp.Private, pending)...)
	resp.Diagnostics.AddError(k.title+" Creation Not Confirmed",
		fmt.Sprintf("The request to create the %s %q reached App Xchange, but no answer came back before the retries ran out (%s). "+
			"Terraform keeps it in the state as a tainted placeholder with the request's idempotency key %s. "+
			"Apply again within 24 hours: Terraform then asks App Xchange what the request did and takes over or creates the %s, so nothing is duplicated.",
			k.noun, name, err, pending.IdempotencyKey, k.noun))
}

// savePlaceholder makes the state of a create whose outcome is unknown: the plan with
// every value that is known only after apply (the id, timestamps, defaults the API
// fills in) set to null, and the pending create in the private state.
func savePlaceholder(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, private privateState, pending *pendingCreate) diag.Diagnostics {
	var diags diag.Diagnostics
	raw, err := tftypes.Transform(plan.Raw, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if !v.IsKnown() {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		diags.AddError("Unable to Keep a Placeholder", err.Error())
		return diags
	}
	state.Raw = raw
	return append(diags, setPendingCreate(ctx, private, pending)...)
}

// beginRead starts the Read of an object: it gives a resource without an identity
// its id's, and settles a placeholder (a create whose answer was lost) by asking the
// API what became of the request. It returns the id to read and the pending create
// (nil for an object whose create was answered), or ok false when Read has nothing
// more to do.
func (k resourceKind) beginRead(ctx context.Context, c *client.Client, req resource.ReadRequest, resp *resource.ReadResponse, id, name string) (readID string, pending *pendingCreate, ok bool) {
	pending, diags := getPendingCreate(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return "", nil, false
	}
	resp.Diagnostics.Append(identityBeforeRead(ctx, resp.Identity, id)...)
	if pending == nil {
		return id, nil, true
	}
	id, done := k.resolveForRead(ctx, c, pending, name, resp)
	return id, pending, !done
}

// endRead keeps what a Read found besides the state: the identity, the ETag, and no
// pending create any more.
func endRead(ctx context.Context, resp *resource.ReadResponse, id, etag string, pending *pendingCreate) {
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, id)...)
	resp.Diagnostics.Append(setETag(ctx, resp.Private, etag)...)
	if pending != nil {
		resp.Diagnostics.Append(setPendingCreate(ctx, resp.Private, nil)...)
	}
}

// beginDelete starts the Delete of an object: it returns the id to delete and the
// ETag it was last read with, or ok false when there is nothing to delete: a
// placeholder whose create made nothing, or whose outcome is still unknown (an error
// says so, and the placeholder stays).
func (k resourceKind) beginDelete(ctx context.Context, c *client.Client, req resource.DeleteRequest, resp *resource.DeleteResponse, id, name string) (deleteID, etag string, ok bool) {
	etag, diags := getETag(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	pending, diags := getPendingCreate(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return "", "", false
	}
	if pending == nil {
		return id, etag, true
	}
	id, outcome := k.resolvePending(ctx, c, pending, name, "Unable to Delete "+k.title, &resp.Diagnostics)
	return id, etag, outcome == pendingCreated
}

// pendingOutcome is what became of a pending create.
type pendingOutcome int

const (
	pendingStillUnknown pendingOutcome = iota // the API could not be asked; diagnostics say so
	pendingNotCreated                         // the request was not carried out
	pendingCreated                            // the request made the object with the returned id
)

// resolvePending asks the API what became of a pending create of the resource called
// name; summary is the summary of the error when the API cannot be asked.
func (k resourceKind) resolvePending(ctx context.Context, c *client.Client, pending *pendingCreate, name, summary string, diags *diag.Diagnostics) (string, pendingOutcome) {
	record, err := c.LookupIdempotencyKey(ctx, pending.IdempotencyKey)
	if errors.Is(err, client.ErrNotFound) {
		return "", pendingNotCreated
	}
	var id string
	if err == nil {
		id, err = k.created(record)
	}
	if err != nil {
		diags.AddError(summary,
			fmt.Sprintf("The outcome of the earlier request to create the %s %q (idempotency key %s, sent at %s) is still unknown: "+
				"asking App Xchange what became of it failed (%s). The state keeps its placeholder and the key. "+
				"Run terraform apply again once App Xchange answers, before %s, when App Xchange forgets the key.",
				k.noun, name, pending.IdempotencyKey, pending.SentAt.Format(time.RFC3339), err,
				pending.SentAt.Add(idempotencyWindow).Format(time.RFC3339)))
		return "", pendingStillUnknown
	}
	return id, pendingCreated
}

// warnNotCreated tells that a pending create made nothing, so Read drops the placeholder.
func (k resourceKind) warnNotCreated(diags *diag.Diagnostics, name string, pending *pendingCreate) {
	if time.Since(pending.SentAt) < idempotencyWindow {
		diags.AddWarning(k.title+" Was Not Created",
			fmt.Sprintf("The earlier request to create the %s %q, whose answer was lost, was not carried out by App Xchange. "+
				"Terraform removed its placeholder and creates the %s anew.", k.noun, name, k.noun))
		return
	}
	diags.AddWarning(k.title+" Creation Unknown",
		fmt.Sprintf("The earlier request to create the %s %q was sent at %s, and App Xchange forgets requests after 24 hours, "+
			"so Terraform removed its placeholder and creates the %s anew. "+
			"If App Xchange now holds a %s %q that Terraform does not manage, delete it or import it.",
			k.noun, name, pending.SentAt.Format(time.RFC3339), k.noun, k.noun, name))
}

// warnCreated tells that a pending create did make its object, which Read takes over.
func (k resourceKind) warnCreated(diags *diag.Diagnostics, name, id string) {
	diags.AddWarning(k.title+" Created Despite the Lost Answer",
		fmt.Sprintf("The earlier request to create the %s %q, whose answer was lost, did create it (id %s). "+
			"Terraform now tracks it as tainted, since that create failed, and replaces it like any tainted resource.", k.noun, name, id))
}

// resolveForRead settles a placeholder in Read. It returns the id of the object that
// the create made, or done when Read has nothing more to do: the outcome is still
// unknown (an error says so), or nothing was made and the placeholder is dropped.
func (k resourceKind) resolveForRead(ctx context.Context, c *client.Client, pending *pendingCreate, name string, resp *resource.ReadResponse) (id string, done bool) {
	id, outcome := k.resolvePending(ctx, c, pending, name, "Unable to Read "+k.title, &resp.Diagnostics)
	switch outcome {
	case pendingStillUnknown:
		return "", true
	case pendingNotCreated:
		k.warnNotCreated(&resp.Diagnostics, name, pending)
		resp.State.RemoveResource(ctx)
		return "", true
	}
	k.warnCreated(&resp.Diagnostics, name, id)
	return id, false
}
