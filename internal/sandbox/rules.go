package sandbox

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Auth types as the API spells them.
const (
	authOAuth2CodeFlow          = "oauth2CodeFlow"
	authOAuth2ClientCredentials = "oauth2ClientCredentials"
	authOAuth2Password          = "oauth2Password"
)

// defaultTokenURL is used when neither the client nor its definition names one.
const defaultTokenURL = "https://id.trimble.com/oauth/token"

const defaultClientAuthentication = "basicAuthHeader"

var (
	authTypes             = []string{authOAuth2CodeFlow, authOAuth2ClientCredentials, authOAuth2Password, "apiKey", "basic", "custom"}
	clientAuthentications = []string{"basicAuthHeader", "clientCredentialsInBody"}
	propertyTypes         = []string{"string", "enum", "bool", "number"}
	prompts               = []string{"none", "login", "consent", "select_account", "create"}
	visibilities          = []string{"account", "public"}

	connectorKeyPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	definitionKeyPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)
)

func isOAuth(authType string) bool {
	return authType == authOAuth2CodeFlow || authType == authOAuth2ClientCredentials || authType == authOAuth2Password
}

func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

func checkEnum(errs *fieldErrors, field, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		errs.add(field, "must be one of %s, not %q", quoteList(allowed), value)
	}
}

func checkLength(errs *fieldErrors, field, value string, minLen, maxLen int) {
	n := utf8.RuneCountInString(value)
	switch {
	case n < minLen && minLen == 1:
		errs.add(field, "must not be empty")
	case n < minLen || n > maxLen:
		errs.add(field, "must be %d to %d characters long, not %d", minLen, maxLen, n)
	}
}

// checkURL applies the one URL rule: absolute with a host, https, or http only on loopback.
func checkURL(errs *fieldErrors, field, raw string) {
	if raw == "" {
		errs.add(field, "must not be empty; omit it instead")
		return
	}
	if len(raw) > 2000 {
		errs.add(field, "must be at most 2000 characters long")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Hostname() == "" {
		errs.add(field, "must be an absolute URL with a host, such as https://example.com/oauth/token, not %q", raw)
		return
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			errs.add(field, "must use https (http is allowed only for localhost, 127.0.0.0/8 and ::1), not %q", raw)
		}
	default:
		errs.add(field, "must use https (http is allowed only for loopback hosts), not the scheme %q", u.Scheme)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkScopes: one scope per element, no whitespace, no duplicates.
func checkScopes(errs *fieldErrors, field string, scopes []string) {
	if len(scopes) > 100 {
		errs.add(field, "must hold at most 100 scopes, not %d", len(scopes))
	}
	seen := map[string]bool{}
	for i, s := range scopes {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case s == "":
			errs.add(f, "must not be empty")
		case strings.IndexFunc(s, unicode.IsSpace) >= 0:
			errs.add(f, "must be one scope without whitespace (send %q as separate elements), not %q", strings.Fields(s), s)
		case len(s) > 200:
			errs.add(f, "must be at most 200 characters long")
		case seen[s]:
			errs.add(f, "repeats the scope %q", s)
		}
		seen[s] = true
	}
}

func checkPrompts(errs *fieldErrors, field string, values []string) {
	seen := map[string]bool{}
	for i, p := range values {
		f := fmt.Sprintf("%s[%d]", field, i)
		switch {
		case !slices.Contains(prompts, p):
			errs.add(f, "must be one of %s, not %q", quoteList(prompts), p)
		case seen[p]:
			errs.add(f, "repeats the prompt %q", p)
		}
		seen[p] = true
	}
	if seen["none"] && len(values) > 1 {
		errs.add(field, `"none" cannot be combined with another prompt`)
	}
}

// checkDefinitions validates a connector's connection definitions.
func checkDefinitions(errs *fieldErrors, defs []ConnectionDefinition) {
	const field = "connectionDefinitions"
	switch {
	case len(defs) == 0:
		errs.add(field, "must hold at least one connection definition")
	case len(defs) > 50:
		errs.add(field, "must hold at most 50 connection definitions, not %d", len(defs))
	}
	keys := map[string]bool{}
	for i, d := range defs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !definitionKeyPattern.MatchString(d.Key) {
			errs.add(f+".key", "must be a camelCase name such as oAuth2CodeFlow (a letter, then letters, digits or _; at most 64), not %q", d.Key)
		} else if keys[d.Key] {
			errs.add(f+".key", "repeats the definition key %q", d.Key)
		}
		keys[d.Key] = true
		checkLength(errs, f+".title", d.Title, 1, 200)
		checkLength(errs, f+".description", d.Description, 0, 2000)
		checkEnum(errs, f+".authType", d.AuthType, authTypes)
		oauth := isOAuth(d.AuthType)
		presets := map[string]bool{
			"authorizationUrl":     d.AuthorizationURL != "",
			"tokenUrl":             d.TokenURL != "",
			"refreshUrl":           d.RefreshURL != "",
			"scopes":               len(d.Scopes) > 0,
			"clientAuthentication": d.ClientAuthentication != "",
		}
		for _, name := range []string{"authorizationUrl", "tokenUrl", "refreshUrl", "scopes", "clientAuthentication"} {
			if presets[name] && !oauth && slices.Contains(authTypes, d.AuthType) {
				errs.add(f+"."+name, "is an OAuth 2.0 preset and applies only to the auth types oauth2CodeFlow, oauth2ClientCredentials and oauth2Password, not %q", d.AuthType)
			}
		}
		if d.AuthorizationURL != "" {
			checkURL(errs, f+".authorizationUrl", d.AuthorizationURL)
		}
		if d.TokenURL != "" {
			checkURL(errs, f+".tokenUrl", d.TokenURL)
		}
		if d.RefreshURL != "" {
			checkURL(errs, f+".refreshUrl", d.RefreshURL)
		}
		checkScopes(errs, f+".scopes", d.Scopes)
		if d.ClientAuthentication != "" {
			checkEnum(errs, f+".clientAuthentication", d.ClientAuthentication, clientAuthentications)
		}
		checkProperties(errs, f+".properties", d.Properties)
	}
}

func checkProperties(errs *fieldErrors, field string, props []Property) {
	if len(props) > 100 {
		errs.add(field, "must hold at most 100 properties, not %d", len(props))
	}
	keys := map[string]bool{}
	for i, p := range props {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !definitionKeyPattern.MatchString(p.Key) {
			errs.add(f+".key", "must be a camelCase name such as tenantId (a letter, then letters, digits or _; at most 64), not %q", p.Key)
		} else if keys[p.Key] {
			errs.add(f+".key", "repeats the property key %q", p.Key)
		}
		keys[p.Key] = true
		checkLength(errs, f+".title", p.Title, 1, 200)
		checkLength(errs, f+".description", p.Description, 0, 2000)
		checkEnum(errs, f+".type", p.Type, propertyTypes)
		switch {
		case p.Type == "enum" && len(p.EnumValues) == 0:
			errs.add(f+".enumValues", `is required when type is "enum": list the allowed values`)
		case p.Type != "enum" && p.EnumValues != nil:
			errs.add(f+".enumValues", `applies only when type is "enum", not %q; remove it`, p.Type)
		}
		seen := map[string]bool{}
		for j, v := range p.EnumValues {
			switch {
			case v == "":
				errs.add(fmt.Sprintf("%s.enumValues[%d]", f, j), "must not be empty")
			case seen[v]:
				errs.add(fmt.Sprintf("%s.enumValues[%d]", f, j), "repeats the value %q", v)
			}
			seen[v] = true
		}
	}
}

// checkClient applies every rule of an OAuth client against its connection definition.
// The client is complete (create, or the result of a PATCH merged onto the stored client).
// A client-credentials client needs a secret when it is created; removing it later
// is allowed, as removing every secret attribute in Terraform clears it.
func checkClient(errs *fieldErrors, c *OAuthClient, def ConnectionDefinition, creating bool) {
	checkLength(errs, "name", c.Name, 1, 200)
	checkLength(errs, "clientId", c.ClientID, 1, 500)
	for _, u := range []struct{ field, value string }{
		{"authorizationUrl", c.AuthorizationURL}, {"tokenUrl", c.TokenURL}, {"refreshUrl", c.RefreshURL},
	} {
		if u.value != "" {
			checkURL(errs, u.field, u.value)
		}
	}
	checkScopes(errs, "scopes", c.Scopes)
	checkPrompts(errs, "prompts", c.Prompts)
	checkEnum(errs, "clientAuthentication", c.ClientAuthentication, clientAuthentications)

	switch def.AuthType {
	case authOAuth2CodeFlow:
		if c.AuthorizationURL == "" && def.AuthorizationURL == "" {
			errs.add("authorizationUrl", "is required: the connection definition %q (oauth2CodeFlow) presets no authorization URL", def.Key)
		}
	case authOAuth2ClientCredentials, authOAuth2Password:
		for _, f := range []struct {
			field string
			set   bool
		}{{"authorizationUrl", c.AuthorizationURL != ""}, {"refreshUrl", c.RefreshURL != ""}, {"prompts", len(c.Prompts) > 0}} {
			if f.set {
				errs.add(f.field, "is not used by the connection definition %q (%s); remove it", def.Key, def.AuthType)
			}
		}
		if def.AuthType == authOAuth2ClientCredentials && creating && !c.ClientSecretSet {
			errs.add("clientSecret", "is required: the connection definition %q (oauth2ClientCredentials) needs a client secret", def.Key)
		}
	}
}

// checkDefinitionForClient finds the definition an OAuth client names and checks it takes OAuth clients.
func checkDefinitionForClient(errs *fieldErrors, conn *Connector, key string) (ConnectionDefinition, bool) {
	keys := make([]string, 0, len(conn.ConnectionDefinitions))
	for _, d := range conn.ConnectionDefinitions {
		if d.Key == key {
			if !isOAuth(d.AuthType) {
				errs.add("connectionDefinitionKey", "names the definition %q of connector %q, whose auth type %s does not use OAuth clients (only oauth2CodeFlow, oauth2ClientCredentials and oauth2Password do)", key, conn.Key, d.AuthType)
				return d, false
			}
			return d, true
		}
		keys = append(keys, d.Key)
	}
	errs.add("connectionDefinitionKey", "connector %q has no connection definition %q; it has: %s", conn.Key, key, quoteList(keys))
	return ConnectionDefinition{}, false
}

// rfc3339 is the grammar of RFC 3339's date-time, which time.Parse alone does not
// hold to: it also takes a one-digit hour, a comma before the fraction, and offsets
// such as +24:00 or +00:60.
var rfc3339 = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`)

// parseTimestamp reads an RFC 3339 timestamp as UTC. Its year in UTC must have four
// digits, as RFC 3339 writes it: an offset can push 9999-12-31 into the year 10000,
// or 0001-01-01 into the year 0, which RFC 3339 cannot write back.
func parseTimestamp(errs *fieldErrors, field, raw string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil || !rfc3339.MatchString(raw) {
		errs.add(field, "must be an RFC 3339 timestamp such as 2027-01-31T00:00:00Z, not %q", raw)
		return t.UTC()
	}
	if year := t.UTC().Year(); year < 1 || year > 9999 {
		errs.add(field, "must be a year from 0001 to 9999 in UTC, not %q (the year %d in UTC)", raw, year)
	}
	return t.UTC()
}
