package client

import "encoding/json"

// Auth types of connection definitions and client authentications of OAuth
// clients, as the API spells them.
const (
	AuthTypeOAuth2CodeFlow          = "oauth2CodeFlow"
	AuthTypeOAuth2ClientCredentials = "oauth2ClientCredentials"
	AuthTypeOAuth2Password          = "oauth2Password"
	AuthTypeAPIKey                  = "apiKey"
	AuthTypeBasic                   = "basic"
	AuthTypeCustom                  = "custom"

	ClientAuthBasicAuthHeader   = "basicAuthHeader"
	ClientAuthCredentialsInBody = "clientCredentialsInBody"
)

// Visibilities of connectors, as the API spells them.
const (
	VisibilityAccount = "account"
	VisibilityPublic  = "public"
)

// Me is the account and user that the credentials act for.
type Me struct {
	AccountID   string `json:"accountId"`
	AccountName string `json:"accountName"`
	UserID      string `json:"userId"`
	UserName    string `json:"userName"`
}

// Property is a value that connections made from a connection definition supply.
type Property struct {
	Key         string   `json:"key"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Type        string   `json:"type"`
	Required    bool     `json:"required"`
	Sensitive   bool     `json:"sensitive"`
	EnumValues  []string `json:"enumValues,omitempty"`
}

// ConnectionDefinition is one way in which connections to a connector authenticate.
type ConnectionDefinition struct {
	Key                  string     `json:"key"`
	Title                string     `json:"title"`
	Description          string     `json:"description,omitempty"`
	AuthType             string     `json:"authType"`
	AuthorizationURL     string     `json:"authorizationUrl,omitempty"`
	TokenURL             string     `json:"tokenUrl,omitempty"`
	RefreshURL           string     `json:"refreshUrl,omitempty"`
	Scopes               []string   `json:"scopes,omitempty"`
	ClientAuthentication string     `json:"clientAuthentication,omitempty"`
	Properties           []Property `json:"properties,omitempty"`
}

// Connector is a connector registration with its connection definitions.
type Connector struct {
	ID                    string                 `json:"id"`
	Key                   string                 `json:"key"`
	Name                  string                 `json:"name"`
	Description           string                 `json:"description,omitempty"`
	Visibility            string                 `json:"visibility"`
	OwnerAccountID        string                 `json:"ownerAccountId"`
	ConnectionDefinitions []ConnectionDefinition `json:"connectionDefinitions"`
	CreatedAt             string                 `json:"createdAt"`
	UpdatedAt             string                 `json:"updatedAt"`

	// ETag is the entity tag of this version, from the response's ETag header; it is
	// empty for connectors read from a list.
	ETag string `json:"-"`
}

// OAuthClient is an OAuth client as the API returns it: never with its secret.
type OAuthClient struct {
	ID                      string   `json:"id"`
	AccountID               string   `json:"accountId"`
	Name                    string   `json:"name"`
	ConnectorID             string   `json:"connectorId"`
	ConnectionDefinitionKey string   `json:"connectionDefinitionKey"`
	ClientID                string   `json:"clientId"`
	ClientSecretSet         bool     `json:"clientSecretSet"`
	ClientSecretExpiresAt   string   `json:"clientSecretExpiresAt,omitempty"`
	AuthorizationURL        string   `json:"authorizationUrl,omitempty"`
	TokenURL                string   `json:"tokenUrl"`
	RefreshURL              string   `json:"refreshUrl,omitempty"`
	Scopes                  []string `json:"scopes,omitempty"`
	Prompts                 []string `json:"prompts,omitempty"`
	ClientAuthentication    string   `json:"clientAuthentication"`
	Public                  bool     `json:"public"`
	CreatedAt               string   `json:"createdAt"`
	UpdatedAt               string   `json:"updatedAt"`

	// ETag is the entity tag of this version, from the response's ETag header; it is
	// empty for OAuth clients read from a list.
	ETag string `json:"-"`
}

// Page is one page of a list.
type Page[T any] struct {
	Items      []T `json:"items"`
	PageIndex  int `json:"pageIndex"`
	PageSize   int `json:"pageSize"`
	TotalItems int `json:"totalItems"`
}

// Optional is a field of a PATCH body: unset (omitted from the body), null (clears
// the field), or a value. The zero value is unset. Fields of this type must be
// tagged `json:",omitzero"` so that unset fields are omitted.
type Optional[T any] struct {
	set   bool
	null  bool
	value T
}

// Set returns an Optional holding v. A nil slice or map is sent as null.
func Set[T any](v T) Optional[T] { return Optional[T]{set: true, value: v} }

// Null returns an Optional that is sent as null, which clears the field.
func Null[T any]() Optional[T] { return Optional[T]{set: true, null: true} }

// IsZero reports whether o is unset; encoding/json omits such fields when tagged omitzero.
func (o Optional[T]) IsZero() bool { return !o.set }

// MarshalJSON encodes the value, or null when o is null or unset.
func (o Optional[T]) MarshalJSON() ([]byte, error) {
	if o.null || !o.set {
		return []byte("null"), nil
	}
	return json.Marshal(o.value)
}

// ConnectorInput is the body that registers a connector.
type ConnectorInput struct {
	Key                   string                 `json:"key"`
	Name                  string                 `json:"name"`
	Description           string                 `json:"description,omitempty"`
	Visibility            string                 `json:"visibility,omitempty"`
	ConnectionDefinitions []ConnectionDefinition `json:"connectionDefinitions"`
}

// ConnectorPatch is a change to a connector; unset fields keep their value.
type ConnectorPatch struct {
	Name                  Optional[string]                 `json:"name,omitzero"`
	Description           Optional[string]                 `json:"description,omitzero"`
	Visibility            Optional[string]                 `json:"visibility,omitzero"`
	ConnectionDefinitions Optional[[]ConnectionDefinition] `json:"connectionDefinitions,omitzero"`
}

// OAuthClientInput is the body that creates an OAuth client. Empty optional fields
// are omitted, so the API applies its defaults to them.
type OAuthClientInput struct {
	Name                    string   `json:"name"`
	ConnectorID             string   `json:"connectorId"`
	ConnectionDefinitionKey string   `json:"connectionDefinitionKey"`
	ClientID                string   `json:"clientId"`
	ClientSecret            string   `json:"clientSecret,omitempty"`
	ClientSecretExpiresAt   string   `json:"clientSecretExpiresAt,omitempty"`
	AuthorizationURL        string   `json:"authorizationUrl,omitempty"`
	TokenURL                string   `json:"tokenUrl,omitempty"`
	RefreshURL              string   `json:"refreshUrl,omitempty"`
	Scopes                  []string `json:"scopes,omitempty"`
	Prompts                 []string `json:"prompts,omitempty"`
	ClientAuthentication    string   `json:"clientAuthentication,omitempty"`
	Public                  bool     `json:"public"`
}

// OAuthClientPatch is a change to an OAuth client; unset fields keep their value and
// null clears a field (for TokenURL and ClientAuthentication: resets it to the default).
type OAuthClientPatch struct {
	Name                  Optional[string]   `json:"name,omitzero"`
	ClientID              Optional[string]   `json:"clientId,omitzero"`
	ClientSecret          Optional[string]   `json:"clientSecret,omitzero"`
	ClientSecretExpiresAt Optional[string]   `json:"clientSecretExpiresAt,omitzero"`
	AuthorizationURL      Optional[string]   `json:"authorizationUrl,omitzero"`
	TokenURL              Optional[string]   `json:"tokenUrl,omitzero"`
	RefreshURL            Optional[string]   `json:"refreshUrl,omitzero"`
	ClientAuthentication  Optional[string]   `json:"clientAuthentication,omitzero"`
	Scopes                Optional[[]string] `json:"scopes,omitzero"`
	Prompts               Optional[[]string] `json:"prompts,omitzero"`
	Public                Optional[bool]     `json:"public,omitzero"`
}

// ConnectorFilter narrows a list of connectors; empty fields do not filter.
type ConnectorFilter struct {
	// Key matches a connector key exactly.
	Key string
	// Search matches a case-insensitive substring of the name or key.
	Search string
	// Visibility is VisibilityAccount or VisibilityPublic.
	Visibility string
}

// OAuthClientFilter narrows a list of OAuth clients; empty fields do not filter.
type OAuthClientFilter struct {
	ConnectorID             string
	ConnectionDefinitionKey string
	// Search matches a case-insensitive substring of the name.
	Search string
	// Public, when not nil, keeps only public (true) or only non-public (false) clients.
	Public *bool
}

// PageOptions selects one page of a list.
type PageOptions struct {
	// PageIndex is zero-based.
	PageIndex int
	// PageSize is at most 1000; 0 means the server's default (100).
	PageSize int
}
