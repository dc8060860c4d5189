package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// privateState is the part of a resource's private state that the framework reads and
// writes: the ETag of the version Terraform last saw lives there, so that changes are
// sent with If-Match and never overwrite a change made outside Terraform.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

const etagKey = "etag"

// setETag keeps the ETag of the version just read or written.
func setETag(ctx context.Context, private privateState, etag string) diag.Diagnostics {
	if etag == "" {
		return nil
	}
	value, err := json.Marshal(etag)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to Keep the ETag", err.Error())
		return diags
	}
	return private.SetKey(ctx, etagKey, value)
}

// getETag returns the ETag kept by setETag; empty when there is none (a resource
// written by an older provider), in which case the API is asked without If-Match.
func getETag(ctx context.Context, private privateState) (string, diag.Diagnostics) {
	raw, diags := private.GetKey(ctx, etagKey)
	if diags.HasError() || len(raw) == 0 {
		return "", diags
	}
	var etag string
	if err := json.Unmarshal(raw, &etag); err != nil {
		diags.AddError("Unable to Read the ETag",
			fmt.Sprintf("The private state holds an ETag that is not a JSON string (%v). Run terraform apply -refresh-only to read the object again.", err))
	}
	return etag, diags
}

// configuredDefaults records which attributes with a computed default the
// configuration set at the last apply, so that a plan can tell "never set" (keep the
// value the object has) from "no longer set" (go back to the default).
type configuredDefaults struct {
	TokenURL             bool `json:"token_url,omitempty"`
	ClientAuthentication bool `json:"client_authentication,omitempty"`
}

const configuredKey = "configured"

// setConfiguredDefaults keeps which of the OAuth client's defaulted attributes config sets.
func setConfiguredDefaults(ctx context.Context, private privateState, config *oauthClientModel) diag.Diagnostics {
	value, err := json.Marshal(configuredDefaults{
		TokenURL:             !config.TokenURL.IsNull(),
		ClientAuthentication: !config.ClientAuthentication.IsNull(),
	})
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to Keep the Private State", err.Error())
		return diags
	}
	return private.SetKey(ctx, configuredKey, value)
}

// getConfiguredDefaults returns what setConfiguredDefaults kept; nothing for an
// imported object, whose values are then kept as they are.
func getConfiguredDefaults(ctx context.Context, private privateState) (configuredDefaults, diag.Diagnostics) {
	var out configuredDefaults
	raw, diags := private.GetKey(ctx, configuredKey)
	if diags.HasError() || len(raw) == 0 {
		return out, diags
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		diags.AddError("Unable to Read the Private State",
			fmt.Sprintf("The private state of the resource is not what this provider writes (%v). Run terraform apply -refresh-only, then plan again.", err))
	}
	return out, diags
}

// pendingCreate is kept in the private state of a placeholder: a resource whose create
// was sent and never answered, so it may or may not exist. Read asks the API what
// became of the request by its idempotency key, which the API remembers for 24 hours.
type pendingCreate struct {
	IdempotencyKey string    `json:"idempotency_key"`
	SentAt         time.Time `json:"sent_at"`
}

const pendingCreateKey = "pending_create"

// setPendingCreate keeps the create a placeholder waits for; nil forgets it.
func setPendingCreate(ctx context.Context, private privateState, pending *pendingCreate) diag.Diagnostics {
	if pending == nil {
		return private.SetKey(ctx, pendingCreateKey, nil)
	}
	value, err := json.Marshal(pending)
	if err != nil {
		var diags diag.Diagnostics
		diags.AddError("Unable to Keep the Private State", err.Error())
		return diags
	}
	return private.SetKey(ctx, pendingCreateKey, value)
}

// getPendingCreate returns what setPendingCreate kept; nil for a resource whose create
// was answered.
func getPendingCreate(ctx context.Context, private privateState) (*pendingCreate, diag.Diagnostics) {
	raw, diags := private.GetKey(ctx, pendingCreateKey)
	if diags.HasError() || len(raw) == 0 {
		return nil, diags
	}
	var out pendingCreate
	err := json.Unmarshal(raw, &out)
	if err == nil && out.IdempotencyKey == "" {
		err = errors.New("it has no idempotency key")
	}
	if err != nil {
		diags.AddError("Unable to Read the Private State",
			fmt.Sprintf("The private state of the resource holds a pending create that is not what this provider writes (%v). "+
				"Remove the resource from the state with terraform state rm, then import it if it exists.", err))
		return nil, diags
	}
	return &out, diags
}
