package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Both resources are identified by their id, a UUID the API assigns (Terraform 1.12
// and later store it beside the state, import blocks may name it, and list resources
// return it). Older CLIs and OpenTofu never ask for it.

// identityModel is the identity of an OAuth client or a connector.
type identityModel struct {
	ID types.String `tfsdk:"id"`
}

// idIdentitySchema is the identity schema of a resource whose identity is its id.
func idIdentitySchema(noun string) identityschema.Schema {
	return identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"id": identityschema.StringAttribute{
				Description:       fmt.Sprintf("ID (UUID) of the %s.", noun),
				RequiredForImport: true,
			},
		},
	}
}

// setIdentity makes identity the one of the object with the given id, unless it is so
// already: a refresh of an unchanged object sets nothing.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	var attrs map[string]tftypes.Value
	var current string
	if !identity.Raw.IsNull() && identity.Raw.IsFullyKnown() && identity.Raw.As(&attrs) == nil && attrs["id"].As(&current) == nil && current == id {
		return nil
	}
	return identity.Set(ctx, identityModel{ID: types.StringValue(id)})
}

// importedID is the id an import asks for: the import id of `terraform import` and
// of import blocks with `id`, or the id of an import block's `identity`.
func importedID(ctx context.Context, req resource.ImportStateRequest) (string, diag.Diagnostics) {
	if req.ID != "" || req.Identity == nil {
		return req.ID, nil
	}
	var id types.String
	diags := req.Identity.GetAttribute(ctx, path.Root("id"), &id)
	return id.ValueString(), diags
}

// identityBeforeRead gives a resource without an identity (one in a state written
// before identities, or a placeholder of a create whose answer was lost, whose id is
// empty) the identity of its id. The framework wants an identity after every Read
// without errors, even one that removes the resource from the state.
func identityBeforeRead(ctx context.Context, identity *tfsdk.ResourceIdentity, id string) diag.Diagnostics {
	if identity == nil || !identity.Raw.IsNull() {
		return nil
	}
	return setIdentity(ctx, identity, id)
}
