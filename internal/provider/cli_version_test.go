package provider

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"testing"
)

// testCLI is the CLI the acceptance tests run: Terraform or OpenTofu, and its version.
type testCLI struct {
	kind                string // "Terraform" or "OpenTofu"
	major, minor, patch int
}

func (c testCLI) String() string {
	return fmt.Sprintf("%s %d.%d.%d", c.kind, c.major, c.minor, c.patch)
}

// isTerraform reports whether the CLI is Terraform major.minor or later.
func (c testCLI) isTerraform(major, minor int) bool {
	return c.kind == "Terraform" && (c.major > major || c.major == major && c.minor >= minor)
}

var (
	theCLIOnce sync.Once
	theCLI     testCLI
	theCLIErr  error
)

var cliVersionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\d+)\.(\d+)\.(\d+)`)

// cliUnderTest asks the CLI of TF_ACC_TERRAFORM_PATH what it is, once per test process.
func cliUnderTest(t *testing.T) testCLI {
	t.Helper()
	theCLIOnce.Do(func() {
		cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "version")
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
		out, err := cmd.Output()
		if err != nil {
			theCLIErr = fmt.Errorf("running %s version: %w", os.Getenv("TF_ACC_TERRAFORM_PATH"), err)
			return
		}
		m := cliVersionLine.FindSubmatch(out)
		if m == nil {
			theCLIErr = fmt.Errorf("%s version printed no Terraform or OpenTofu version: %q", os.Getenv("TF_ACC_TERRAFORM_PATH"), out)
			return
		}
		theCLI.kind = string(m[1])
		theCLI.major, _ = strconv.Atoi(string(m[2]))
		theCLI.minor, _ = strconv.Atoi(string(m[3]))
		theCLI.patch, _ = strconv.Atoi(string(m[4]))
	})
	if theCLIErr != nil {
		t.Fatal(theCLIErr)
	}
	return theCLI
}

// requireTerraform skips a test on a CLI without the feature it tests: OpenTofu, or
// a Terraform older than major.minor. The skip line starts with "cli-version-skip:",
// which scripts/test.sh counts: on the newest Terraform no test may skip at all.
func requireTerraform(t *testing.T, major, minor int, feature string) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		// As the testing framework does: go test -short runs the unit tests alone.
		t.Skip("acceptance test: set TF_ACC=1, or run make test")
	}
	c := cliUnderTest(t)
	if c.isTerraform(major, minor) {
		return
	}
	t.Skipf("cli-version-skip: %s needs Terraform %d.%d or later; the CLI is %s", feature, major, minor, c)
}

// Features of Terraform that the provider offers, and the version that brought them.
func requireIdentity(t *testing.T)      { t.Helper(); requireTerraform(t, 1, 12, "resource identity") }
func requireListResources(t *testing.T) { t.Helper(); requireTerraform(t, 1, 14, "terraform query") }
