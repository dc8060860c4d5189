package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Connector is a connector registration as the API shows it.
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

	version int64
}

// ConnectionDefinition is one authentication option of a connector, stored as given.
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

// Property is a connection property a definition declares.
type Property struct {
	Key         string   `json:"key"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Type        string   `json:"type"`
	Required    bool     `json:"required"`
	Sensitive   bool     `json:"sensitive"`
	EnumValues  []string `json:"enumValues,omitempty"`
}

// OAuthClient is an OAuth client as the API shows it: never with its secret.
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

	secretHash sql.NullString // the store's keyed hash
	expiresAt  sql.NullString // RFC 3339, UTC
	version    int64
}

func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

func formatTime(unixNano int64) string {
	return time.Unix(0, unixNano).UTC().Format(time.RFC3339Nano)
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

const connectorColumns = `id, key, name, description, visibility, owner_account_id, definitions, created_at, updated_at, version`

func scanConnector(row scanner) (*Connector, error) {
	var c Connector
	var defs string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.Key, &c.Name, &c.Description, &c.Visibility, &c.OwnerAccountID, &defs, &created, &updated, &c.version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(defs), &c.ConnectionDefinitions); err != nil {
		return nil, fmt.Errorf("decoding the stored definitions of connector %s: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = formatTime(created), formatTime(updated)
	return &c, nil
}

const clientColumns = `c.id, c.account_id, c.name, c.connector_id, c.definition_key, c.client_id, c.secret_hash, c.secret_expires_at,
	c.authorization_url, c.token_url, c.refresh_url, c.scopes, c.prompts, c.client_authentication, c.public, c.created_at, c.updated_at, c.version`

func scanClient(row scanner) (*OAuthClient, error) {
	var c OAuthClient
	var scopes, prompts string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.AccountID, &c.Name, &c.ConnectorID, &c.ConnectionDefinitionKey, &c.ClientID, &c.secretHash, &c.expiresAt,
		&c.AuthorizationURL, &c.TokenURL, &c.RefreshURL, &scopes, &prompts, &c.ClientAuthentication, &c.Public, &created, &updated, &c.version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(scopes), &c.Scopes); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(prompts), &c.Prompts); err != nil {
		return nil, err
	}
	c.ClientSecretSet = c.secretHash.Valid
	c.ClientSecretExpiresAt = c.expiresAt.String
	c.CreatedAt, c.UpdatedAt = formatTime(created), formatTime(updated)
	return &c, nil
}

// jsonText encodes a list for a TEXT column; nil and empty are both [].
func jsonText(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
