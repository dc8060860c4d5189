package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
)

// resourceKind is what the steps that both resources share need to know of each: how
// messages name its objects, which attribute each field of the API is, and how to
// find the object that a recorded create made. Those steps are here (writes' errors
// and logs, a read that finds nothing) and in pending_create.go (a create whose
// answer was lost).
type resourceKind struct {
	noun  string // "OAuth client"
	title string // "OAuth Client"
	// attributes maps the API's top-level field names to the resource's attributes,
	// so that the API's field errors point at the configuration's lines.
	attributes map[string]string
	// created returns the id of the object that a recorded create made.
	created func(*client.IdempotencyRecord) (string, error)
}

var (
	oauthClients = resourceKind{
		noun:  "OAuth client",
		title: "OAuth Client",
		attributes: map[string]string{
			"name":                    "name",
			"connectorId":             "connector_id",
			"connectionDefinitionKey": "connection_definition",
			"clientId":                "client_id",
			"clientSecret":            "client_secret",
			"clientSecretExpiresAt":   "client_secret_expires_at",
			"authorizationUrl":        "authorization_url",
			"tokenUrl":                "token_url",
			"refreshUrl":              "refresh_url",
			"scopes":                  "scopes",
			"prompts":                 "prompts",
			"clientAuthentication":    "client_authentication",
			"public":                  "public",
		},
		created: func(r *client.IdempotencyRecord) (string, error) {
			c, err := r.CreatedOAuthClient()
			if err != nil {
				return "", err
			}
			return c.ID, nil
		},
	}
	connectors = resourceKind{
		noun:  "connector",
		title: "Connector",
		attributes: map[string]string{
			"key":                   "key",
			"name":                  "name",
			"description":           "description",
			"visibility":            "visibility",
			"connectionDefinitions": "connection_definitions",
		},
		created: func(r *client.IdempotencyRecord) (string, error) {
			c, err := r.CreatedConnector()
			if err != nil {
				return "", err
			}
			return c.ID, nil
		},
	}
)

// resourceModel is what both resource models have, with the same signatures: the
// body that creates the planned object, the change from the state to the plan, and
// the object as the API returns it. The compiler holds both models to it.
type resourceModel[M, In, Patch, Obj any] interface {
	toInput(ctx context.Context, config *M, diags *diag.Diagnostics) *In
	toPatch(ctx context.Context, config, state *M, diags *diag.Diagnostics) *Patch
	fromAPI(ctx context.Context, obj *Obj, diags *diag.Diagnostics)
}

var (
	_ resourceModel[oauthClientModel, client.OAuthClientInput, client.OAuthClientPatch, client.OAuthClient] = (*oauthClientModel)(nil)
	_ resourceModel[connectorModel, client.ConnectorInput, client.ConnectorPatch, client.Connector]         = (*connectorModel)(nil)
)

// A write is one of these; the words are those of the messages and logs.
const (
	opCreate = "create"
	opUpdate = "update"
	opDelete = "delete"
)

// logWrite logs a write that the API carried out.
func (k resourceKind) logWrite(ctx context.Context, op, id string) {
	tflog.Info(ctx, op+"d "+k.noun, map[string]any{"id": id})
}

// writeRefusal says what a resource makes of the API's refusals of a write.
type writeRefusal struct {
	// inUse says what to do when the API refuses because the object is in use (409),
	// by the attribute the refusal names ("" for none, or any other).
	inUse map[string]string
	// attribute renames an attribute that a field error points at: the OAuth client's
	// secret may be configured as client_secret_wo. Nil keeps every name.
	attribute func(string) string
}

// addWriteError reports a failed write of the object called name. A 412 means that
// the object changed outside Terraform; the API's field errors become errors of the
// attributes they name; anything else keeps the API's own message.
func (k resourceKind) addWriteError(diags *diag.Diagnostics, op, name string, err error, refusal writeRefusal) {
	summary := "Unable to " + strings.ToUpper(op[:1]) + op[1:] + " " + k.title
	failed := fmt.Sprintf("The %s of the %s %q failed", op, k.noun, name)
	if errors.Is(err, client.ErrPreconditionFailed) {
		diags.AddError(summary, fmt.Sprintf("The %s %q changed outside Terraform since Terraform last read it, so nothing was written. "+
			"Run terraform plan again to see it as it is now, then apply the changes you still want.", k.noun, name))
		return
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		diags.AddError(summary, fmt.Sprintf("%s: %s", failed, err))
		return
	}
	if apiErr.StatusCode == http.StatusConflict {
		k.addConflict(diags, summary, apiErr, refusal)
		return
	}
	if len(apiErr.Errors) == 0 {
		diags.AddError(summary, fmt.Sprintf("%s: %s", failed, err))
		return
	}
	for _, f := range apiErr.Errors {
		attribute, at := k.attributeOf(f.Field, refusal)
		if attribute == "" {
			diags.AddError(summary, fmt.Sprintf("%s: %s: %s (%s).", failed, f.Field, f.Detail, apiErr.Title))
			continue
		}
		diags.AddAttributeError(path.Root(attribute), summary, fmt.Sprintf("%s: %s (%s%s).", failed, f.Detail, apiErr.Title, at))
	}
}

// addConflict reports a write that the API refused because of other objects (409):
// its detail, which says why, and what to do, on the attribute the API names.
func (k resourceKind) addConflict(diags *diag.Diagnostics, summary string, apiErr *client.APIError, refusal writeRefusal) {
	if len(apiErr.Errors) == 0 {
		diags.AddError(summary, strings.TrimSpace(apiErr.Detail+" "+refusal.inUse[""]))
		return
	}
	for _, f := range apiErr.Errors {
		attribute, _ := k.attributeOf(f.Field, refusal)
		hint, ok := refusal.inUse[attribute]
		if !ok {
			hint = refusal.inUse[""]
		}
		detail := strings.TrimSpace(apiErr.Detail + " " + hint)
		if !strings.Contains(apiErr.Detail, f.Detail) {
			detail += fmt.Sprintf(" (%s: %s)", f.Field, f.Detail)
		}
		if attribute == "" {
			diags.AddError(summary, detail)
			continue
		}
		diags.AddAttributeError(path.Root(attribute), summary, detail)
	}
}

// attributeOf is the attribute of an API field ("" for none), and, for a field inside
// it, " at FIELD".
func (k resourceKind) attributeOf(field string, refusal writeRefusal) (attribute, at string) {
	head, rest, _ := cutAny(field, ".[")
	attribute, ok := k.attributes[head]
	if !ok {
		return "", ""
	}
	if refusal.attribute != nil {
		attribute = refusal.attribute(attribute)
	}
	if rest != "" {
		at = " at " + field
	}
	return attribute, at
}

// removeIfGone removes from the state an object that the API no longer has (a 404),
// with a warning, and reports whether it did.
func (k resourceKind) removeIfGone(ctx context.Context, resp *resource.ReadResponse, err error, name, id string) bool {
	if !errors.Is(err, client.ErrNotFound) {
		return false
	}
	resp.Diagnostics.AddWarning(k.title+" Not Found",
		fmt.Sprintf("The %s %q (%s) no longer exists, or your account can no longer read it, so it was removed from the state. "+
			"The next plan creates it again; remove it from the configuration if it should stay gone.", k.noun, name, id))
	resp.State.RemoveResource(ctx)
	return true
}

// decodeCreate reads the configuration and the plan of a create; ok is false when
// they cannot be read (diagnostics say why).
func decodeCreate[M any](ctx context.Context, req resource.CreateRequest, diags *diag.Diagnostics) (config, plan M, ok bool) {
	diags.Append(req.Config.Get(ctx, &config)...)
	diags.Append(req.Plan.Get(ctx, &plan)...)
	return config, plan, !diags.HasError()
}

// decodeUpdate reads the configuration, the plan, the state and the ETag of an
// update; ok is false when they cannot be read (diagnostics say why).
func decodeUpdate[M any](ctx context.Context, req resource.UpdateRequest, diags *diag.Diagnostics) (config, plan, state M, etag string, ok bool) {
	diags.Append(req.Config.Get(ctx, &config)...)
	diags.Append(req.Plan.Get(ctx, &plan)...)
	diags.Append(req.State.Get(ctx, &state)...)
	etag, d := getETag(ctx, req.Private)
	diags.Append(d...)
	return config, plan, state, etag, !diags.HasError()
}

// keepWritten keeps what a create or an update returned: the object as the state,
// its identity, and the ETag of its version.
func keepWritten(ctx context.Context, diags *diag.Diagnostics, state *tfsdk.State, identity *tfsdk.ResourceIdentity, private privateState, model any, id, etag string) {
	diags.Append(state.Set(ctx, model)...)
	diags.Append(setIdentity(ctx, identity, id)...)
	diags.Append(setETag(ctx, private, etag)...)
}
