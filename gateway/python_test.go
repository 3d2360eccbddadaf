package gateway

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPythonExample runs examples/python/toolq_client.py, standard library
// only, against the real gateway: it submits, long-polls and prints the
// envelope, and maps refusals and typed errors to its exit statuses.
func TestPythonExample(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		// make test (so CI) sets this: there the example must run.
		if os.Getenv("TOOLQ_REQUIRE_PYTHON") == "1" {
			t.Fatal("python3 is not installed")
		}
		t.Skip("python3 is not installed")
	}
	script, err := filepath.Abs("../examples/python/toolq_client.py")
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, nil)
	run := func(args ...string) (map[string]any, int) {
		t.Helper()
		cmd := exec.Command(py, append([]string{script}, args...)...)
		cmd.Env = append(os.Environ(), "TOOLQ_GATEWAY_URL="+h.url, "TOOLQ_TOKEN="+aliceSecret, "PYTHONDONTWRITEBYTECODE=1")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("%v: output is not JSON: %v\n%s\n%s", args, err, out, stderr.String())
		}
		return m, code
	}
	env, code := run("median_absolute_deviation", `{"values": [10, 11, 12, 10, 9, 10, 50]}`)
	if code != 0 || env["state"] != "succeeded" {
		t.Fatalf("exit %d: %v", code, env)
	}
	if mad := env["result"].(map[string]any)["mad"].(float64); mad < 1.4826 || mad > 1.4827 {
		t.Fatalf("mad %v", mad)
	}
	env, code = run("diag_panic")
	if code != 1 || env["error"].(map[string]any)["error"] != "tool_crashed" {
		t.Fatalf("typed error: exit %d: %v", code, env)
	}
	env, code = run("median_absolute_deviation", `{"values": "x"}`)
	if code != 2 || env["error"] != "input_invalid" {
		t.Fatalf("refusal: exit %d: %v", code, env)
	}
}
