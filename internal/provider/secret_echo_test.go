package provider

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"unicode"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// The secrets of the OAuth clients that the echoing API sends back. They change
// under JSON (HTML) escaping and Go quoting, as a server may echo them escaped.
const (
	echoedSecret   = `cnry-echo-"sec"<&>-4f1d`
	echoedSecretWO = `cnry-echo-wo\"<&>-9a7c`
)

// echoHostile is what a server must not get to a terminal: an OSC-8 hyperlink (ESC ]
// 8 ;; URI BEL), BEL, a screen clear, a C1 control and a bidirectional override.
const echoHostile = "\x1b]8;;http://evil\x07click me\x1b]8;;\x07\a\x1b[2J\u009b\u202e"

// echoingAPI is an API in front of sb that passes every request on, except the
// creates and updates of OAuth clients: it answers those with a 422 problem whose
// texts echo the request (its body, with the secret, and its Authorization header,
// with the access token) among terminal sequences. With fieldErrors the problem has
// field errors, which the provider shows instead of its detail; without, only a
// detail. It counts the requests it echoed.
type echoingAPI struct {
	*httptest.Server
	fieldErrors atomic.Bool
	echoed      atomic.Int32
}

func newEchoingAPI(t *testing.T, sb *testSandbox) *echoingAPI {
	t.Helper()
	target, err := url.Parse(sb.url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	api := &echoingAPI{}
	api.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		write := r.Method == http.MethodPost || r.Method == http.MethodPatch
		if !write || !strings.HasPrefix(r.URL.Path, "/management/v1/oauth-clients") {
			proxy.ServeHTTP(w, r)
			return
		}
		api.echoed.Add(1)
		body, _ := io.ReadAll(r.Body)
		var sent map[string]any
		_ = json.Unmarshal(body, &sent)
		echo := fmt.Sprintf("%s %s%s body=%s Authorization: %s%s", r.Method, r.URL.Path, echoHostile, body, r.Header.Get("Authorization"), echoHostile)
		problem := map[string]any{
			"type": "urn:appxchange:problem:validation", "title": "Unprocessable Entity" + echoHostile, "status": 422,
			"detail": "Refused " + fmt.Sprint(sent["clientSecret"]) + ": " + echo,
		}
		if api.fieldErrors.Load() {
			problem["errors"] = []map[string]any{
				{"field": "clientSecret", "detail": fmt.Sprintf("%v is refused%s", sent["clientSecret"], echoHostile)},
				{"field": "request" + echoHostile, "detail": echo},
			}
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_ = json.NewEncoder(w).Encode(problem)
	}))
	t.Cleanup(api.Close)
	return api
}

// echoedClients is the configuration of an OAuth client with client_secret and one
// with client_secret_wo, both of which the echoing API refuses. The secrets come from
// sensitive variables, as secrets should: Terraform shows the source line of an
// attribute's error, so a literal in the configuration would be shown by Terraform.
func echoedClients() string {
	return fmt.Sprintf(`
variable "secret" {
  type      = string
  sensitive = true
}

variable "secret_wo" {
  type      = string
  sensitive = true
}

resource "appxchange_oauth_client" "secret" {
  name                  = "echoed secret"
  connector_id          = %q
  connection_definition = "oAuth2ClientCredentials"
  client_id             = "echoed-app"
  client_secret         = var.secret
}

resource "appxchange_oauth_client" "write_only" {
  name                     = "echoed write-only secret"
  connector_id             = %q
  connection_definition    = "oAuth2ClientCredentials"
  client_id                = "echoed-wo-app"
  client_secret_wo         = var.secret_wo
  client_secret_wo_version = 1
}
`, powerbiID, powerbiID)
}

// echoedSecrets are the secrets that no output may hold: the clients' and the access
// token that the echoed Authorization header carries.
var echoedSecrets = []string{echoedSecret, echoedSecretWO, acmeToken}

// checkNoEcho returns what is wrong with text, which Terraform printed: a secret as
// it is, escaped in JSON or quoted by Go (once or twice), or a control or
// bidirectional character other than the line breaks and tabs of Terraform's own
// layout.
func checkNoEcho(text string) []string {
	var problems []string
	for _, s := range echoedSecrets {
		forms := []string{s}
		for range 2 {
			last := forms[len(forms)-1]
			j, _ := json.Marshal(last)
			forms = append(forms, string(j[1:len(j)-1]), strings.Trim(fmt.Sprintf("%q", last), `"`))
		}
		for _, f := range forms {
			if i := strings.Index(text, f); i >= 0 {
				problems = append(problems, fmt.Sprintf("the secret %q (as %q): ...%q...", s, f, text[max(0, i-200):min(len(text), i+len(f)+50)]))
			}
		}
	}
	for i, r := range text {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
			problems = append(problems, fmt.Sprintf("the character %U: ...%q...", r, text[max(0, i-200):min(len(text), i+50)]))
			break
		}
	}
	return problems
}

// TestAccSecretEcho_apply: an apply of an OAuth client with client_secret and one
// with client_secret_wo, against an API that echoes each create, its secret and its
// access token, into a 422 problem among terminal sequences: once in the problem's
// detail, once in its field errors. The apply fails with errors that say so and that
// hold neither a secret nor a control character.
func TestAccSecretEcho_apply(t *testing.T) {
	sb := startSandbox(t)
	api := newEchoingAPI(t, sb)
	// The provider block of a sandbox at the echoing API's address.
	hcl := (&testSandbox{url: api.URL}).providerConfig(acmeToken) + echoedClients()
	variables := config.Variables{"secret": config.StringVariable(echoedSecret), "secret_wo": config.StringVariable(echoedSecretWO)}
	var (
		mu   sync.Mutex
		errs []string
	)
	// Each step's apply fails; ErrorCheck sees its error, which ExpectError would only match.
	errorCheck := func(err error) error {
		msg := err.Error()
		mu.Lock()
		errs = append(errs, msg)
		mu.Unlock()
		if problems := checkNoEcho(msg); len(problems) > 0 {
			return fmt.Errorf("the error holds %s", strings.Join(problems, "; "))
		}
		for _, want := range []string{
			`(?s)Error: Unable to Create OAuth Client.*with appxchange_oauth_client.secret`,
			`(?s)Error: Unable to Create OAuth Client.*with appxchange_oauth_client.write_only`,
		} {
			if !wrapped(want).MatchString(msg) {
				return fmt.Errorf("the error does not match %s: %w", want, err)
			}
		}
		if !strings.Contains(msg, "***") {
			return fmt.Errorf("the error shows nothing masked, so nothing was echoed: %w", err)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		ErrorCheck:               errorCheck,
		Steps: []resource.TestStep{
			{Config: hcl, ConfigVariables: variables},
			{PreConfig: func() { api.fieldErrors.Store(true) }, Config: hcl, ConfigVariables: variables},
		},
	})
	if t.Failed() {
		return
	}
	if len(errs) != 2 || api.echoed.Load() < 4 {
		t.Fatalf("%d applies failed and %d creates were echoed, want 2 and 4", len(errs), api.echoed.Load())
	}
	// The field error of clientSecret is an error of the attribute that holds each
	// secret, whose source line Terraform shows, with the secret masked.
	blocks := strings.Split(errs[1], "Error: ")
	for _, attr := range []string{`client_secret\s+= var\.secret\n`, `client_secret_wo\s+= var\.secret_wo\n`} {
		line, masked := regexp.MustCompile(attr), wrapped(`failed: \*\*\* is refused`)
		if !slices.ContainsFunc(blocks, func(b string) bool { return line.MatchString(b) && masked.MatchString(b) }) {
			t.Errorf("no error of the attribute %s says that *** is refused:\n%s", attr, errs[1])
		}
	}
	t.Logf("the error of the field errors:\n%s", errs[1])
}

// TestAccSecretEcho_cliTrace runs the same apply with the CLI and the provider built
// as a binary, with TF_LOG=trace: no secret and no control character is in anything
// printed, the provider's trace log (the bodies of the requests and of the echoing
// answers) included.
func TestAccSecretEcho_cliTrace(t *testing.T) {
	t.Parallel()
	sb := startSandbox(t)
	api := newEchoingAPI(t, sb)
	w := newCLIWorkspace(t)
	w.env = append(w.env, "TF_VAR_secret="+echoedSecret, "TF_VAR_secret_wo="+echoedSecretWO)
	var printed []string
	for _, fieldErrors := range []bool{false, true} {
		api.fieldErrors.Store(fieldErrors)
		w.write("main.tf", cliAcmeConfig(api.URL+"/management/v1", "max_retries = 1")+echoedClients())
		out, err := w.run("apply", "-auto-approve", "-no-color", "-input=false")
		if err == nil || !wrapped(`Error: Unable to Create OAuth Client`).MatchString(out) {
			t.Fatalf("the apply did not fail to create the clients (%v):\n%s", err, tail(out, 60))
		}
		printed = append(printed, out)
	}
	all := strings.Join(printed, "\n")
	if !strings.Contains(all, "[TRACE]") || !strings.Contains(all, "provider.terraform-provider-appxchange") ||
		!strings.Contains(all, "response body") {
		t.Fatal("the CLI printed no trace log of the provider's answers: the scan would prove nothing")
	}
	if api.echoed.Load() < 4 {
		t.Fatalf("%d creates were echoed, want 4", api.echoed.Load())
	}
	for _, p := range checkNoEcho(all) {
		t.Errorf("the CLI printed %s", p)
	}
}
