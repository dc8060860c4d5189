package provider

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/validators"
)

// The connector, its connection definitions and their properties are the same
// objects in the appxchange_connector resource and both connector data sources:
// this file holds their model, their schemas and their mapping to the API.

// propertyTypes are the types of a definition's properties.
var propertyTypes = []string{"string", "enum", "bool", "number"}

// connectorModel is a connector as the resource and the data sources hold it.
type connectorModel struct {
	ID                    types.String `tfsdk:"id"`
	Key                   types.String `tfsdk:"key"`
	Name                  types.String `tfsdk:"name"`
	Description           types.String `tfsdk:"description"`
	Visibility            types.String `tfsdk:"visibility"`
	OwnerAccountID        types.String `tfsdk:"owner_account_id"`
	ConnectionDefinitions types.Map    `tfsdk:"connection_definitions"`
	CreatedAt             types.String `tfsdk:"created_at"`
	UpdatedAt             types.String `tfsdk:"updated_at"`
}

// connectionDefinitionModel is one element of connection_definitions. Its fields
// are framework values so that a configuration with unknown parts can be read.
type connectionDefinitionModel struct {
	Title                types.String `tfsdk:"title"`
	Description          types.String `tfsdk:"description"`
	AuthType             types.String `tfsdk:"auth_type"`
	AuthorizationURL     types.String `tfsdk:"authorization_url"`
	TokenURL             types.String `tfsdk:"token_url"`
	RefreshURL           types.String `tfsdk:"refresh_url"`
	Scopes               types.Set    `tfsdk:"scopes"`
	ClientAuthentication types.String `tfsdk:"client_authentication"`
	Properties           types.Map    `tfsdk:"properties"`
}

// propertyModel is one element of a definition's properties.
type propertyModel struct {
	Title       types.String `tfsdk:"title"`
	Description types.String `tfsdk:"description"`
	Type        types.String `tfsdk:"type"`
	Required    types.Bool   `tfsdk:"required"`
	Sensitive   types.Bool   `tfsdk:"sensitive"`
	EnumValues  types.List   `tfsdk:"enum_values"`
}

var (
	propertyObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"title":       types.StringType,
		"description": types.StringType,
		"type":        types.StringType,
		"required":    types.BoolType,
		"sensitive":   types.BoolType,
		"enum_values": types.ListType{ElemType: types.StringType},
	}}
	definitionObjectType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"title":                 types.StringType,
		"description":           types.StringType,
		"auth_type":             types.StringType,
		"authorization_url":     types.StringType,
		"token_url":             types.StringType,
		"refresh_url":           types.StringType,
		"scopes":                types.SetType{ElemType: types.StringType},
		"client_authentication": types.StringType,
		"properties":            types.MapType{ElemType: propertyObjectType},
	}}
)

// Descriptions shared by the resource and the data sources.
const (
	definitionsDescription = "Connection definitions (the connector's authentication options), keyed by definition key such as `oAuth2CodeFlow`."
	authTypeDescription    = "Auth type: `oauth2_code_flow`, `oauth2_client_credentials`, `oauth2_password`, `api_key`, `basic` or `custom`. " +
		"Only the three OAuth 2.0 types take OAuth clients."
	propertiesDescription   = "Properties a connection of this definition takes (such as a tenant ID), keyed by property key such as `tenantId`."
	propertyTypeDescription = "Type of the property: `string`, `enum`, `bool` or `number`."
)

// connectorDataSourceAttributes are the attributes of a connector in the data
// sources, every one computed.
func connectorDataSourceAttributes() map[string]dsschema.Attribute {
	computed := func(description string) dsschema.StringAttribute {
		plain, markdown := descriptions(description)
		return dsschema.StringAttribute{Description: plain, MarkdownDescription: markdown, Computed: true}
	}
	return map[string]dsschema.Attribute{
		"id":               computed("ID (UUID) of the connector."),
		"key":              computed("Key of the connector, such as `procore`."),
		"name":             computed("Name of the connector."),
		"description":      computed("Description of the connector; null when it has none."),
		"visibility":       computed("`public` (listed for every account) or `account` (private to its owner)."),
		"owner_account_id": computed("ID of the account that owns the connector."),
		"created_at":       computed("When the connector was registered (RFC 3339)."),
		"updated_at":       computed("When the connector was last changed (RFC 3339)."),
		"connection_definitions": dsschema.MapNestedAttribute{
			MarkdownDescription: definitionsDescription,
			Computed:            true,
			NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
				"title":                 computed("Title of the definition."),
				"description":           computed("Description of the definition; null when it has none."),
				"auth_type":             computed(authTypeDescription),
				"authorization_url":     computed("Authorization URL the definition presets; null when none."),
				"token_url":             computed("Token URL the definition presets; null when none."),
				"refresh_url":           computed("Refresh URL the definition presets; null when none."),
				"scopes":                dsschema.SetAttribute{Description: "Scopes the definition presets; null when none.", Computed: true, ElementType: types.StringType},
				"client_authentication": computed("Client authentication the definition presets (`basic_auth_header` or `client_credentials_body`); null when none."),
				"properties": dsschema.MapNestedAttribute{
					MarkdownDescription: propertiesDescription + " Null when none.",
					Computed:            true,
					NestedObject: dsschema.NestedAttributeObject{Attributes: map[string]dsschema.Attribute{
						"title":       computed("Title of the property."),
						"description": computed("Description of the property; null when it has none."),
						"type":        computed(propertyTypeDescription),
						"required":    dsschema.BoolAttribute{Description: "Whether a connection must set the property.", Computed: true},
						"sensitive":   dsschema.BoolAttribute{Description: "Whether the property holds a secret.", Computed: true},
						"enum_values": dsschema.ListAttribute{MarkdownDescription: "Allowed values of an `enum` property; null for other types.", Computed: true, ElementType: types.StringType},
					}},
				},
			}},
		},
	}
}

// connectionDefinitionsResourceAttribute is connection_definitions of the resource,
// with every rule that needs neither the API nor another attribute.
func connectionDefinitionsResourceAttribute() rsschema.MapNestedAttribute {
	urlRule := func(description string) rsschema.StringAttribute {
		return rsschema.StringAttribute{
			Description: description + " Must use https, except on loopback hosts. Only for OAuth 2.0 auth types.",
			Optional:    true,
			Validators:  []validator.String{validators.URL(), stringvalidator.LengthAtMost(2000)},
		}
	}
	description := func(of string) rsschema.StringAttribute {
		return rsschema.StringAttribute{
			Description: "Description of the " + of + ", at most 2000 characters. Omit it rather than set it empty.",
			Optional:    true,
			Validators:  []validator.String{validators.NotEmpty(), stringvalidator.LengthAtMost(2000)},
		}
	}
	title := func(of string) rsschema.StringAttribute {
		return rsschema.StringAttribute{
			Description: "Title of the " + of + ", 1 to 200 characters.",
			Required:    true,
			Validators:  []validator.String{stringvalidator.LengthBetween(1, 200)},
		}
	}
	return rsschema.MapNestedAttribute{
		MarkdownDescription: definitionsDescription + " At least one, at most 50. The API stores them as given.",
		Required:            true,
		Validators: []validator.Map{
			mapvalidator.SizeBetween(1, 50),
			mapvalidator.KeysAre(stringvalidator.RegexMatches(definitionKeyPattern,
				"must be a camelCase name such as oAuth2CodeFlow: a letter, then letters, digits or _, at most 64 characters")),
		},
		NestedObject: rsschema.NestedAttributeObject{Attributes: map[string]rsschema.Attribute{
			"title":       title("definition"),
			"description": description("definition"),
			"auth_type": rsschema.StringAttribute{
				MarkdownDescription: authTypeDescription + " Changing it while OAuth clients use the definition is refused.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(authTypes.terraformValues()...)},
			},
			"authorization_url": urlRule("Authorization URL that OAuth clients of this definition fall back to."),
			"token_url":         urlRule("Token URL that OAuth clients of this definition default to."),
			"refresh_url":       urlRule("Refresh URL that OAuth clients of this definition fall back to."),
			"scopes": rsschema.SetAttribute{
				Description: "Scopes that OAuth clients of this definition fall back to, one scope per element. Only for OAuth 2.0 auth types. " +
					"Omit it rather than set it empty.",
				Optional:    true,
				ElementType: types.StringType,
				Validators: []validator.Set{
					validators.NotEmpty(),
					setvalidator.SizeAtMost(100),
					setvalidator.ValueStringsAre(
						stringvalidator.RegexMatches(scopePattern, "must be one scope without whitespace; write each scope as its own element"),
						stringvalidator.LengthAtMost(200),
					),
				},
			},
			"client_authentication": rsschema.StringAttribute{
				MarkdownDescription: "Client authentication that OAuth clients of this definition default to: `basic_auth_header` or `client_credentials_body`. " +
					"Only for OAuth 2.0 auth types.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(clientAuthentications.terraformValues()...)},
			},
			"properties": rsschema.MapNestedAttribute{
				MarkdownDescription: propertiesDescription + " At most 100. Omit it rather than set it empty.",
				Optional:            true,
				Validators: []validator.Map{
					validators.NotEmpty(),
					mapvalidator.SizeAtMost(100),
					mapvalidator.KeysAre(stringvalidator.RegexMatches(definitionKeyPattern,
						"must be a camelCase name such as tenantId: a letter, then letters, digits or _, at most 64 characters")),
				},
				NestedObject: rsschema.NestedAttributeObject{Attributes: map[string]rsschema.Attribute{
					"title":       title("property"),
					"description": description("property"),
					"type": rsschema.StringAttribute{
						MarkdownDescription: propertyTypeDescription,
						Required:            true,
						Validators:          []validator.String{stringvalidator.OneOf(propertyTypes...)},
					},
					"required": rsschema.BoolAttribute{
						Description: "Whether a connection must set the property. Defaults to false.",
						Optional:    true,
						Computed:    true,
						Default:     booldefault.StaticBool(false),
					},
					"sensitive": rsschema.BoolAttribute{
						Description: "Whether the property holds a secret. Defaults to false.",
						Optional:    true,
						Computed:    true,
						Default:     booldefault.StaticBool(false),
					},
					"enum_values": rsschema.ListAttribute{
						MarkdownDescription: "Allowed values, in the order a user sees them. Required when `type` is `enum`, and only then.",
						Optional:            true,
						ElementType:         types.StringType,
						Validators: []validator.List{
							validators.NotEmpty(),
							validators.Unique(),
							listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
						},
					},
				}},
			},
		}},
	}
}

func definitionsFromAPI(ctx context.Context, defs []client.ConnectionDefinition, diags *diag.Diagnostics) types.Map {
	models := make(map[string]connectionDefinitionModel, len(defs))
	for _, d := range defs {
		def := connectionDefinitionModel{
			Title:                types.StringValue(d.Title),
			Description:          optionalString(d.Description),
			AuthType:             types.StringValue(authTypes.toTerraform(d.AuthType)),
			AuthorizationURL:     optionalString(d.AuthorizationURL),
			TokenURL:             optionalString(d.TokenURL),
			RefreshURL:           optionalString(d.RefreshURL),
			Scopes:               optionalStringSet(ctx, d.Scopes, diags),
			ClientAuthentication: optionalString(clientAuthentications.toTerraform(d.ClientAuthentication)),
			Properties:           types.MapNull(propertyObjectType),
		}
		if len(d.Properties) > 0 {
			props := make(map[string]propertyModel, len(d.Properties))
			for _, p := range d.Properties {
				prop := propertyModel{
					Title:       types.StringValue(p.Title),
					Description: optionalString(p.Description),
					Type:        types.StringValue(p.Type),
					Required:    types.BoolValue(p.Required),
					Sensitive:   types.BoolValue(p.Sensitive),
					EnumValues:  types.ListNull(types.StringType),
				}
				if len(p.EnumValues) > 0 {
					list, d := types.ListValueFrom(ctx, types.StringType, p.EnumValues)
					diags.Append(d...)
					prop.EnumValues = list
				}
				props[p.Key] = prop
			}
			value, d := types.MapValueFrom(ctx, propertyObjectType, props)
			diags.Append(d...)
			def.Properties = value
		}
		models[d.Key] = def
	}
	value, d := types.MapValueFrom(ctx, definitionObjectType, models)
	diags.Append(d...)
	return value
}

// definitionsToAPI turns fully known connection_definitions into the API's form,
// sorted by key (definitions, properties and scopes alike) so that the same
// configuration always makes the same request.
func definitionsToAPI(ctx context.Context, m types.Map) ([]client.ConnectionDefinition, diag.Diagnostics) {
	var diags diag.Diagnostics
	var models map[string]connectionDefinitionModel
	diags.Append(m.ElementsAs(ctx, &models, false)...)
	if diags.HasError() {
		return nil, diags
	}
	out := make([]client.ConnectionDefinition, 0, len(models))
	for _, key := range slices.Sorted(maps.Keys(models)) {
		def := models[key]
		d := client.ConnectionDefinition{
			Key:                  key,
			Title:                def.Title.ValueString(),
			Description:          def.Description.ValueString(),
			AuthType:             authTypes.toAPI(def.AuthType.ValueString()),
			AuthorizationURL:     def.AuthorizationURL.ValueString(),
			TokenURL:             def.TokenURL.ValueString(),
			RefreshURL:           def.RefreshURL.ValueString(),
			ClientAuthentication: clientAuthentications.toAPI(def.ClientAuthentication.ValueString()),
		}
		if !def.Scopes.IsNull() {
			diags.Append(def.Scopes.ElementsAs(ctx, &d.Scopes, false)...)
			slices.Sort(d.Scopes)
		}
		if !def.Properties.IsNull() {
			var props map[string]propertyModel
			diags.Append(def.Properties.ElementsAs(ctx, &props, false)...)
			for _, pk := range slices.Sorted(maps.Keys(props)) {
				p := props[pk]
				prop := client.Property{
					Key:         pk,
					Title:       p.Title.ValueString(),
					Description: p.Description.ValueString(),
					Type:        p.Type.ValueString(),
					Required:    p.Required.ValueBool(),
					Sensitive:   p.Sensitive.ValueBool(),
				}
				if !p.EnumValues.IsNull() {
					diags.Append(p.EnumValues.ElementsAs(ctx, &prop.EnumValues, false)...)
				}
				d.Properties = append(d.Properties, prop)
			}
		}
		out = append(out, d)
	}
	return out, diags
}
