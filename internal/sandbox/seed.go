package sandbox

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
)

//go:embed seed.json
var builtinSeed []byte

// Seed is the content a sandbox starts with: the JSON of -seed and of seed.json.
type Seed struct {
	Accounts        []SeedAccount        `json:"accounts"`
	Tokens          []SeedToken          `json:"tokens"`
	ServiceAccounts []SeedServiceAccount `json:"serviceAccounts"`
	Connectors      []SeedConnector      `json:"connectors"`
}

// SeedAccount is an account.
type SeedAccount struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SeedToken is a bearer token that never expires, for a user of an account.
type SeedToken struct {
	Token     string `json:"token"`
	AccountID string `json:"accountId"`
	UserID    string `json:"userId"`
	UserName  string `json:"userName"`
}

// SeedServiceAccount is a client of the client-credentials grant at /oauth/token.
type SeedServiceAccount struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	AccountID    string `json:"accountId"`
	Name         string `json:"name"`
}

// SeedConnector is a connector with a fixed id, owned by one of the seed's accounts.
type SeedConnector struct {
	ID                    string                 `json:"id"`
	Key                   string                 `json:"key"`
	Name                  string                 `json:"name"`
	Description           string                 `json:"description,omitempty"`
	Visibility            string                 `json:"visibility"`
	OwnerAccountID        string                 `json:"ownerAccountId"`
	ConnectionDefinitions []ConnectionDefinition `json:"connectionDefinitions"`
}

// BuiltinSeed returns the seed a sandbox uses when none is given.
func BuiltinSeed() (*Seed, error) { return ParseSeed(builtinSeed) }

// LoadSeed reads a seed file.
func LoadSeed(path string) (*Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	seed, err := ParseSeed(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return seed, nil
}

// ParseSeed decodes a seed and checks it against the same rules as the API.
func ParseSeed(b []byte) (*Seed, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var seed Seed
	if err := dec.Decode(&seed); err != nil {
		return nil, fmt.Errorf("decoding the seed: %w", err)
	}
	accounts := map[string]bool{}
	for i, a := range seed.Accounts {
		if a.ID == "" || a.Name == "" {
			return nil, fmt.Errorf("accounts[%d]: id and name are required", i)
		}
		accounts[a.ID] = true
	}
	for i, t := range seed.Tokens {
		if t.Token == "" || !accounts[t.AccountID] || t.UserID == "" {
			return nil, fmt.Errorf("tokens[%d]: token, userId and the accountId of a seeded account are required", i)
		}
	}
	for i, sa := range seed.ServiceAccounts {
		if sa.ClientID == "" || sa.ClientSecret == "" || !accounts[sa.AccountID] {
			return nil, fmt.Errorf("serviceAccounts[%d]: clientId, clientSecret and the accountId of a seeded account are required", i)
		}
	}
	for i, c := range seed.Connectors {
		var errs fieldErrors
		if c.ID == "" {
			errs.add("id", "is required")
		}
		if !accounts[c.OwnerAccountID] {
			errs.add("ownerAccountId", "must name a seeded account, not %q", c.OwnerAccountID)
		}
		if !connectorKeyPattern.MatchString(c.Key) {
			errs.add("key", "must match %s, not %q", connectorKeyPattern, c.Key)
		}
		checkLength(&errs, "name", c.Name, 1, 200)
		checkEnum(&errs, "visibility", c.Visibility, visibilities)
		checkDefinitions(&errs, c.ConnectionDefinitions)
		if len(errs) > 0 {
			return nil, fmt.Errorf("connectors[%d].%s: %s", i, errs[0].Field, errs[0].Detail)
		}
	}
	return &seed, nil
}

// applySeed inserts what the database does not hold yet and changes nothing that is there.
func (s *Server) applySeed(ctx context.Context, seed *Seed) error {
	now := s.now().UnixNano()
	return s.store.inTx(ctx, func(tx db) error {
		for _, a := range seed.Accounts {
			if _, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, name) VALUES (?, ?) ON CONFLICT DO NOTHING`, a.ID, a.Name); err != nil {
				return err
			}
		}
		for _, t := range seed.Tokens {
			name := t.UserName
			if name == "" {
				name = t.UserID
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO tokens (token_hash, account_id, user_id, user_name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				s.store.hash(t.Token), t.AccountID, t.UserID, name); err != nil {
				return err
			}
		}
		for _, sa := range seed.ServiceAccounts {
			name := sa.Name
			if name == "" {
				name = sa.ClientID
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO service_accounts (client_id, secret_hash, account_id, name) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				sa.ClientID, s.store.hash(sa.ClientSecret), sa.AccountID, name); err != nil {
				return err
			}
		}
		for _, c := range seed.Connectors {
			defs, err := json.Marshal(c.ConnectionDefinitions)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO connectors (`+connectorColumns+`, name_folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING`,
				c.ID, c.Key, c.Name, c.Description, c.Visibility, c.OwnerAccountID, string(defs), now, now, fold(c.Name)); err != nil {
				return err
			}
		}
		return nil
	})
}
