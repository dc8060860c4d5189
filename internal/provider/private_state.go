package provider

import (
	"context"
	"encoding/json"
	"fmt"

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
