//go:build soak

package provider

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/appxchange/terraform-provider-appxchange/internal/client"
	"github.com/appxchange/terraform-provider-appxchange/internal/sandbox"
)

// sandboxProcess is the sandbox as users run it: its own process, its database (a
// SQLite file on disk, or PostgreSQL shared with other replicas), flags on the
// command line. Unlike startSandbox, it can be killed with SIGKILL in the middle of
// a request and started again on the same database and address, so a provider
// configured with its URL reaches the new process.
type sandboxProcess struct {
	t     *testing.T
	bin   string
	data  string   // the SQLite file; empty on PostgreSQL
	store []string // the flags that name the database: -data PATH or -database URL
	flags []string
	addr  string // host:port, fixed at the first start
	log   string // the sandbox's stderr, every start appended
	cmd   *exec.Cmd
	done  chan struct{}
}

// buildSandboxBinary builds the sandbox command for one test (from the build cache
// after the first time).
func buildSandboxBinary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "appxchange-sandbox")
	out, err := exec.Command("go", "build", "-o", path,
		"github.com/appxchange/terraform-provider-appxchange/internal/sandbox/cmd/appxchange-sandbox").CombinedOutput()
	if err != nil {
		t.Fatalf("building the sandbox: %v\n%s", err, out)
	}
	return path
}

// startSandboxProcess starts the sandbox command with flags (such as "-faults",
// "0.2") on a new SQLite database and a free loopback port; it is stopped when the
// test ends.
func startSandboxProcess(t *testing.T, flags ...string) *sandboxProcess {
	t.Helper()
	data := filepath.Join(t.TempDir(), "appxchange.db")
	p := launchSandboxProcess(t, []string{"-data", data}, flags)
	p.data = data
	return p
}

// startSandboxReplica starts the sandbox command as one replica of a shared
// service: on the PostgreSQL database at databaseURL, which other replicas may
// share, with flags and on a free loopback port; it is stopped when the test ends.
func startSandboxReplica(t *testing.T, databaseURL string, flags ...string) *sandboxProcess {
	t.Helper()
	return launchSandboxProcess(t, []string{"-database", databaseURL}, flags)
}

// launchSandboxProcess starts the sandbox command on the database that store names,
// with flags, and has it stopped when the test ends.
func launchSandboxProcess(t *testing.T, store, flags []string) *sandboxProcess {
	t.Helper()
	p := &sandboxProcess{
		t:     t,
		bin:   buildSandboxBinary(t),
		store: store,
		flags: flags,
		addr:  "127.0.0.1:0",
		log:   filepath.Join(t.TempDir(), "sandbox.log"),
	}
	p.start()
	t.Cleanup(p.stop)
	return p
}

// start runs the command and waits for its first line, which gives the address.
func (p *sandboxProcess) start() {
	p.t.Helper()
	logFile, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	defer logFile.Close()
	args := append(append([]string{"-listen", p.addr}, p.store...), p.flags...)
	p.cmd = exec.Command(p.bin, args...)
	p.cmd.Stderr = logFile
	p.cmd.SysProcAttr = dieWithParent()
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.done = make(chan struct{})
	first := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stdout)
		if scanner.Scan() {
			first <- scanner.Text()
		}
		close(first)
		for scanner.Scan() { // drain, so the sandbox never blocks on stdout
		}
	}()
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		close(done)
	}(p.cmd, p.done)
	select {
	case line := <-first:
		url, ok := strings.CutPrefix(line, "appxchange sandbox listening on http://")
		if !ok {
			p.t.Fatalf("the sandbox's first line is %q; its log:\n%s", line, p.logText())
		}
		p.addr = url
	case <-time.After(30 * time.Second):
		p.t.Fatalf("the sandbox did not start within 30 s; its log:\n%s", p.logText())
	}
}

// kill ends the process with SIGKILL, whatever it is doing.
func (p *sandboxProcess) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatalf("killing the sandbox: %v", err)
	}
	<-p.done
}

// stop ends the process with SIGTERM, as an operator would.
func (p *sandboxProcess) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *sandboxProcess) url() string     { return "http://" + p.addr }
func (p *sandboxProcess) baseURL() string { return p.url() + "/management/v1" }

// logText is everything the sandbox has logged so far.
func (p *sandboxProcess) logText() string {
	b, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// stats reads the request counts of the running process (since it started).
func (p *sandboxProcess) stats() sandbox.Stats {
	p.t.Helper()
	resp, err := http.Get(p.url() + "/_sandbox/stats")
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var st sandbox.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		p.t.Fatal(err)
	}
	return st
}

// resetStats zeroes the request counts.
func (p *sandboxProcess) resetStats() {
	p.t.Helper()
	resp, err := http.Post(p.url()+"/_sandbox/stats/reset", "application/json", nil)
	if err != nil {
		p.t.Fatal(err)
	}
	resp.Body.Close()
}

// apiClient acts on the sandbox beside Terraform, with enough retries to see
// through the faults the sandbox may be injecting.
func (p *sandboxProcess) apiClient(token string) *client.Client {
	p.t.Helper()
	c, err := client.New(client.Config{BaseURL: p.baseURL(), AccessToken: token, MaxRetries: 20})
	if err != nil {
		p.t.Fatal(err)
	}
	return c
}

// ownObjects lists the OAuth clients and connectors that acme owns: the soak tests'
// configurations work in acme's account.
func (p *sandboxProcess) ownObjects() ([]client.OAuthClient, []client.Connector) {
	p.t.Helper()
	ctx := context.Background()
	api := p.apiClient(acmeToken)
	me, err := api.Me(ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	clients, err := api.AllOAuthClients(ctx, client.OAuthClientFilter{})
	if err != nil {
		p.t.Fatal(err)
	}
	var ownClients []client.OAuthClient
	for _, c := range clients {
		if c.AccountID == me.AccountID {
			ownClients = append(ownClients, c)
		}
	}
	connectors, err := api.AllConnectors(ctx, client.ConnectorFilter{})
	if err != nil {
		p.t.Fatal(err)
	}
	var ownConnectors []client.Connector
	for _, c := range connectors {
		if c.OwnerAccountID == me.AccountID {
			ownConnectors = append(ownConnectors, c)
		}
	}
	return ownClients, ownConnectors
}

// countStatus sums the requests of stats whose "METHOD /route STATUS" key ends in status.
func countStatus(st sandbox.Stats, status string) int {
	n := 0
	for key, count := range st.Requests {
		if strings.HasSuffix(key, " "+status) {
			n += count
		}
	}
	return n
}

// runningCLI is a CLI command started in the background.
type runningCLI struct {
	cmd *exec.Cmd
	out *syncBuffer
}

// start runs the CLI in the background; wait collects its output.
func (w *cliWorkspace) start(args ...string) *runningCLI {
	w.t.Helper()
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append([]string{"-chdir=" + w.dir}, args...)...)
	cmd.Env = w.env
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	return &runningCLI{cmd: cmd, out: out}
}

func (r *runningCLI) wait() (string, error) {
	err := r.cmd.Wait()
	return r.out.String(), err
}
