package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/toolq/toolq/jobs/child"
	"github.com/toolq/toolq/sandbox"
)

// doctor reports what the host can enforce and proves it from inside one
// real sandboxed call of the worker's own child (diag_inspect).
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
	call := probeCall(ctx, st)
	chosen := call.Enforcement
	if chosen == "" {
		chosen = string(sandbox.None)
	}
	refuse := *st.requireIsolation && chosen == string(sandbox.None)
	checks := append(rep.Checks, call.checks...)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{
			"cgroup_mode": rep.CgroupMode, "checks": checks, "auto": rep.Auto, "why": rep.Why,
			"sandboxed_call": call, "go": runtime.Version(), "version": version,
			"require_isolation": *st.requireIsolation, "ok": !refuse && call.Error == "",
		})
	} else {
		fmt.Fprintf(stdout, "toolq worker doctor (%s, %s)\n\ncgroup mode: %s\n\n", version, runtime.Version(), rep.CgroupMode)
		for _, c := range checks {
			fmt.Fprintf(stdout, "  %-12s %-24s %s\n", "["+string(c.Status)+"]", c.Name, c.Detail)
		}
		fmt.Fprintf(stdout, "\nTOOLQ_SANDBOX=auto picks: %s", rep.Auto)
		if rep.Why != "" {
			fmt.Fprintf(stdout, " (because %s)", rep.Why)
		}
		fmt.Fprintln(stdout)
		if call.Error != "" {
			fmt.Fprintf(stdout, "sandboxed test call (TOOLQ_SANDBOX=%s): FAILED: %s\n", *st.sandbox, call.Error)
		} else {
			fmt.Fprintf(stdout, "sandboxed test call (TOOLQ_SANDBOX=%s): ok — enforcement %s, placement %s, %.1f ms, peak %d KiB\n",
				*st.sandbox, call.Enforcement, call.Placement, call.WallMS, call.PeakBytes>>10)
		}
		if refuse {
			fmt.Fprintf(stdout, "\nTOOLQ_REQUIRE_ISOLATION=1 and no cgroup enforcer is available: a worker would refuse to start.\n")
		}
	}
	if refuse || call.Error != "" {
		return exitError(1)
	}
	return nil
}

func num(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

type callReport struct {
	Enforcement string  `json:"enforcement"`
	Placement   string  `json:"placement"`
	WallMS      float64 `json:"wall_ms"`
	PeakBytes   int64   `json:"peak_memory_bytes"`
	Error       string  `json:"error,omitempty"`
	checks      []sandbox.Check
}

// probeCall runs diag_inspect in a child under the worker's settings and
// grades each hardening step by what the child saw.
func probeCall(ctx context.Context, st *settings) callReport {
	var r callReport
	mode, _ := sandbox.ParseMode(*st.sandbox)
	sb, err := sandbox.New(&sandbox.Options{Mode: mode, NoSweep: true, ForceGated: *st.forceGated,
		Hardening: st.hardeningOptions(), Logger: st.Logger(io.Discard)})
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer sb.Close()
	req, _ := json.Marshal(child.Request{Tool: "diag_inspect", Input: json.RawMessage(`{"create": ["/tmp/toolq-doctor", "/toolq-doctor"]}`), Diagnostics: true})
	out, err := sb.Run(ctx, &sandbox.Cmd{ID: "doctor", Path: *st.childBinary, Args: []string{child.Arg}, Env: []string{}, Stdin: req,
		Limits: sandbox.Limits{Memory: 256 << 20, Timeout: 10 * time.Second}})
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Enforcement, r.Placement = string(out.Usage.Enforcement), string(out.Usage.Placement)
	r.WallMS, r.PeakBytes = float64(out.Usage.Wall.Microseconds())/1000, out.Usage.PeakMemory
	var resp child.Response
	if out.Status != sandbox.Exited || out.ExitCode != 0 || json.Unmarshal(out.Stdout, &resp) != nil || resp.Error != nil {
		r.Error = fmt.Sprintf("child ended %s (exit %d): %s %s", out.Status, out.ExitCode, out.Stderr, out.Stdout)
		return r
	}
	var in struct {
		UID, GID   int
		Env        []string
		FDs        map[string]string
		Interfaces []string
		NoNewPrivs bool              `json:"no_new_privs"`
		PID        int               `json:"pid"`
		RootRO     bool              `json:"root_read_only"`
		Rlimits    map[string]any    `json:"rlimits"`
		Create     map[string]string `json:"create"`
	}
	_ = json.Unmarshal(resp.Result, &in)
	h, root := sb.Hardening()
	add := func(name string, s sandbox.CheckStatus, format string, a ...any) {
		r.checks = append(r.checks, sandbox.Check{Name: name, Status: s, Detail: fmt.Sprintf(format, a...)})
	}
	switch {
	case h.Off:
		add("child hardening", sandbox.Degraded, "turned off (TOOLQ_HARDENING=0)")
	case !root:
		add("child identity", sandbox.Degraded, "the worker is not root: children run as uid %d, with no namespaces of their own", in.UID)
	default:
		if in.UID == h.UID && in.GID == h.GID {
			add("child identity", sandbox.Available, "uid %d gid %d, no supplementary groups", in.UID, in.GID)
		} else {
			add("child identity", sandbox.Missing, "children run as uid %d gid %d", in.UID, in.GID)
		}
		if h.Network {
			add("child network", sandbox.Degraded, "children share the worker's network (TOOLQ_CHILD_NETWORK=1)")
		} else if len(in.Interfaces) <= 1 {
			add("child network", sandbox.Available, "a namespace of its own: %s, no route out", strings.Join(in.Interfaces, ", "))
		} else {
			add("child network", sandbox.Missing, "children see %v", in.Interfaces)
		}
		if in.RootRO && in.Create["/tmp/toolq-doctor"] == "ok" && in.Create["/toolq-doctor"] != "ok" {
			add("child filesystem", sandbox.Available, "read-only but a private %d MiB /tmp", h.ScratchMB)
		} else {
			add("child filesystem", sandbox.Missing, "root read-only: %v; file creation: %v", in.RootRO, in.Create)
		}
		if in.PID == 1 {
			add("child processes", sandbox.Available, "a PID namespace of its own: no other call is visible or reachable")
		} else {
			add("child processes", sandbox.Missing, "children share the worker's PID namespace (pid %d)", in.PID)
		}
	}
	if in.NoNewPrivs {
		add("no_new_privs", sandbox.Available, "children cannot gain privileges by exec")
	} else {
		add("no_new_privs", sandbox.Missing, "not set in children")
	}
	add("child rlimits", sandbox.Available, "nofile %s, fsize %s, core %s", num(in.Rlimits["nofile"]), num(in.Rlimits["fsize"]), num(in.Rlimits["core"]))
	sort.Strings(in.Env)
	add("child environment", sandbox.Available, "%s", strings.Join(in.Env, " "))
	inherited := 0
	for fd, target := range in.FDs {
		// Beyond the standard streams a child holds only what its own
		// runtime opened: the poller, the listing itself, the CPU limit.
		if n, _ := strconv.Atoi(fd); n > 2 && target != "" && !strings.HasPrefix(target, "anon_inode:") &&
			!strings.HasPrefix(target, "/proc/") && !strings.HasPrefix(target, "/sys/fs/cgroup/") {
			inherited++
		}
	}
	if inherited == 0 {
		add("child descriptors", sandbox.Available, "standard streams only")
	} else {
		add("child descriptors", sandbox.Missing, "%d inherited: %v", inherited, in.FDs)
	}
	return r
}
