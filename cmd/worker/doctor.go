package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/toolq/toolq/jobs/child"
	"github.com/toolq/toolq/sandbox"
)

// doctor reports what the host can enforce and proves it with one real
// sandboxed call of the worker's own child.
func doctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("worker doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	st, set := bind(fs)
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if err := set.Err(); err != nil {
		return usageError{err}
	}
	rep := sandbox.Probe()
	type callCheck struct {
		Enforcement string  `json:"enforcement"`
		Placement   string  `json:"placement"`
		Status      string  `json:"status"`
		WallMS      float64 `json:"wall_ms"`
		PeakBytes   int64   `json:"peak_memory_bytes"`
		Error       string  `json:"error,omitempty"`
	}
	var cc callCheck
	mode, _ := sandbox.ParseMode(*st.sandbox)
	sb, err := sandbox.New(&sandbox.Options{Mode: mode, NoSweep: true, Logger: st.logger(io.Discard)})
	if err != nil {
		cc.Error = err.Error()
	} else {
		req, _ := json.Marshal(map[string]any{"tool": "diag_echo", "input": map[string]any{"value": "ok"}, "diagnostics": true})
		out, err := sb.Run(ctx, &sandbox.Cmd{ID: "doctor", Args: []string{child.Arg}, Stdin: req,
			Limits: sandbox.Limits{Memory: 256 << 20, Timeout: 10 * time.Second}})
		if err != nil {
			cc.Error = err.Error()
		} else {
			cc.Enforcement, cc.Placement, cc.Status = string(out.Usage.Enforcement), string(out.Usage.Placement), string(out.Status)
			cc.WallMS, cc.PeakBytes = float64(out.Usage.Wall.Microseconds())/1000, out.Usage.PeakMemory
			if out.Status != sandbox.Exited || out.ExitCode != 0 {
				cc.Error = fmt.Sprintf("child ended %s (exit %d): %s", out.Status, out.ExitCode, out.Stderr)
			}
		}
		_ = sb.Close()
	}
	chosen := cc.Enforcement
	if chosen == "" {
		chosen = string(sandbox.None)
	}
	refuse := *st.requireIsolation && chosen == string(sandbox.None)

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"host": rep, "sandboxed_call": cc, "go": runtime.Version(),
			"require_isolation": *st.requireIsolation, "ok": !refuse && cc.Error == ""})
	} else {
		fmt.Fprintf(stdout, "toolq worker doctor (%s, %s)\n\ncgroup mode: %s\n\n", version, runtime.Version(), rep.CgroupMode)
		for _, c := range rep.Checks {
			fmt.Fprintf(stdout, "  %-12s %-22s %s\n", "["+string(c.Status)+"]", c.Name, c.Detail)
		}
		fmt.Fprintf(stdout, "\nTOOLQ_SANDBOX=auto picks: %s", rep.Auto)
		if rep.Why != "" {
			fmt.Fprintf(stdout, " (because %s)", rep.Why)
		}
		fmt.Fprintf(stdout, "\n")
		if cc.Error != "" {
			fmt.Fprintf(stdout, "sandboxed test call (TOOLQ_SANDBOX=%s): FAILED: %s\n", *st.sandbox, cc.Error)
		} else {
			clone := "available"
			if cc.Placement != string(sandbox.CloneInto) {
				clone = "not used (" + cc.Placement + " placement)"
			}
			fmt.Fprintf(stdout, "sandboxed test call (TOOLQ_SANDBOX=%s): ok — enforcement %s, clone3 into cgroup %s, %.1f ms, peak %d KiB\n",
				*st.sandbox, cc.Enforcement, clone, cc.WallMS, cc.PeakBytes>>10)
		}
		if refuse {
			fmt.Fprintf(stdout, "\nTOOLQ_REQUIRE_ISOLATION=1 and no cgroup enforcer is available: a worker would refuse to start.\n")
		}
	}
	if refuse || cc.Error != "" {
		return exitError(1)
	}
	return nil
}
