// Package deps fences the import graph: the packages that hold the tools
// and the sandbox must not reach Redis or the queue, so that the
// security-critical code stays small and testable without them.
package deps

import (
	"os/exec"
	"strings"
	"testing"
)

// banned maps a package to the imports it must never have, with the reason.
var banned = map[string]map[string]string{
	"github.com/toolq/toolq/tools": {
		"github.com/redis/go-redis/v9":   "tools validate and compute; queues are jobs' business",
		"github.com/hibiken/asynq":       "tools validate and compute; queues are jobs' business",
		"github.com/toolq/toolq/jobs":    "jobs imports tools, not the other way",
		"github.com/toolq/toolq/sandbox": "a tool runs inside a sandbox and knows nothing of it",
	},
	"github.com/toolq/toolq/sandbox": {
		"github.com/redis/go-redis/v9": "the sandbox runs processes; it must work with no Redis",
		"github.com/hibiken/asynq":     "the sandbox runs processes; it must work with no queue",
		"github.com/toolq/toolq/tools": "the sandbox runs any command; it knows no tools",
		"github.com/toolq/toolq/jobs":  "jobs imports sandbox, not the other way",
	},
	"github.com/toolq/toolq/jobs/child": {
		"github.com/redis/go-redis/v9": "the child binary must stay small: it starts once per call",
		"github.com/hibiken/asynq":     "the child binary must stay small: it starts once per call",
	},
	"github.com/toolq/toolq/errcode": {
		"github.com/toolq/toolq/tools": "errcode is the leaf every package shares",
		"github.com/toolq/toolq/jobs":  "errcode is the leaf every package shares",
	},
}

func TestImportFence(t *testing.T) {
	t.Parallel()
	for pkg, bad := range banned {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			deps[d] = true
		}
		for b, why := range bad {
			for d := range deps {
				if d == b || strings.HasPrefix(d, b+"/") {
					t.Errorf("%s imports %s: %s", pkg, d, why)
				}
			}
		}
	}
}
