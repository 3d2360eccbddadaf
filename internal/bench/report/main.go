// Command report turns the output of toolq's benchmarks (go test -bench
// ./internal/bench) into the table `make bench` prints: per-call costs, the
// ratios the issue sets targets for, and whether each target is met.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

type row struct {
	nsPerOp float64
	metrics map[string]float64
	labels  []string
}

func main() {
	rows := map[string]*row{}
	var order []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		line := sc.Text()
		fmt.Fprintln(os.Stderr, line)
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		r := &row{metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			if f[i+1] == "ns/op" {
				r.nsPerOp = v
			} else if v == 0 {
				r.labels = append(r.labels, f[i+1])
			} else {
				r.metrics[f[i+1]] = v
			}
		}
		if _, ok := rows[name]; !ok {
			order = append(order, name)
		}
		rows[name] = r
	}
	ms := func(name string) (float64, bool) {
		r, ok := rows[name]
		if !ok || r.nsPerOp == 0 {
			return 0, false
		}
		return r.nsPerOp / 1e6, true
	}
	fmt.Println()
	fmt.Println("| measurement | result | target |")
	fmt.Println("|---|---|---|")
	exec, okExec := ms("NoopExec")
	for _, n := range order {
		r := rows[n]
		if strings.HasPrefix(n, "Noop") {
			v, _ := ms(n)
			label := ""
			if len(r.labels) > 0 {
				label = " (" + strings.Join(r.labels, ", ") + ")"
			}
			ratio := ""
			base, baseName := exec, "plain exec"
			if strings.HasSuffix(n, "Lean") {
				base, _ = ms("NoopExecLean")
				baseName = "its plain exec"
			}
			if okExec && base > 0 && n != "NoopExec" && n != "NoopExecLean" && n != "NoopInProcess" {
				ratio = fmt.Sprintf(", %.2f× %s", v/base, baseName)
			}
			if n == "NoopExecLean" && okExec {
				ratio = fmt.Sprintf(", %.2f× the worker binary", v/exec)
			}
			target := ""
			if n == "NoopSandboxedBare" {
				target = verdict(v/exec <= 1.5, "≤ 1.5× plain exec")
			}
			fmt.Printf("| no-op call, %s%s | %.3f ms%s | %s |\n", describe(n), label, v, ratio, target)
		}
	}
	if r, ok := rows["SubmitWaitIdle"]; ok {
		fmt.Printf("| submit-and-wait, idle worker, p50 | %.1f ms | %s |\n", r.metrics["p50-ms"], verdict(r.metrics["p50-ms"] <= 20, "≤ 20 ms"))
		fmt.Printf("| submit-and-wait, idle worker, p99 | %.1f ms | |\n", r.metrics["p99-ms"])
	}
	for _, n := range order {
		if strings.HasPrefix(n, "Fit") && strings.HasSuffix(n, "InProcess") {
			base := strings.TrimSuffix(n, "InProcess")
			in, _ := ms(n)
			w, okw := ms(base + "Worker")
			cell := "—"
			if okw {
				cell = fmt.Sprintf("%.1f ms (%+.1f ms)", w, w-in)
			}
			fmt.Printf("| %s: in-process / through the worker | %.1f ms / %s | |\n", describe(base), in, cell)
		}
	}
	for _, n := range order {
		if r := rows[n]; strings.HasPrefix(n, "Throughput") {
			fmt.Printf("| %s | %.0f calls/s | %s |\n", describe(n), r.metrics["calls/s"], verdict(r.metrics["calls/s"] >= 300, "≥ 300 calls/s"))
		}
	}
	// The gateway beside the Go client, one row per number of callers.
	for _, n := range order {
		c, ok := strings.CutPrefix(n, "Gateway/http_c")
		if !ok {
			continue
		}
		h := rows[n].metrics
		g := map[string]float64{}
		if r, ok := rows["Gateway/go_c"+c]; ok {
			g = r.metrics
		}
		fmt.Printf("| small call, %s concurrent callers: gateway `POST /v1/tools/{name}:call` / Go client | %.0f / %.0f calls/s; p50 %.1f / %.1f ms; p99 %.1f / %.1f ms | |\n",
			c, h["calls/s"], g["calls/s"], h["p50-ms"], g["p50-ms"], h["p99-ms"], g["p99-ms"])
	}
}

func describe(n string) string {
	switch n {
	case "NoopInProcess":
		return "in-process (validate + execute)"
	case "NoopExec":
		return "plain exec of the child (worker binary)"
	case "NoopExecLean":
		return "plain exec of the child (toolq-child)"
	case "NoopSandboxedLean":
		return "sandboxed, full hardening, toolq-child"
	case "NoopSandboxedBare":
		return "exec placed in a cgroup (host's enforcer), no hardening"
	case "NoopSandboxedNetNS":
		return "+ own network namespace only"
	case "NoopSandboxedMountNS":
		return "+ own mount namespace (private /tmp, read-only rest) only"
	case "NoopSandboxedUIDDrop":
		return "+ uid/gid drop, rlimits, no_new_privs only"
	case "NoopSandboxed":
		return "sandboxed, full hardening (the default)"
	case "NoopSandboxedGated":
		return "sandboxed, full hardening, gated placement forced"
	case "NoopSandboxedNone":
		return "sandboxed, no cgroups (degraded)"
	case "Throughput":
		return "throughput, 2,000 no-op calls, worker concurrency 2"
	case "FitPCA1000x20":
		return "fit_pca, 1000×20, 3 components"
	case "FitPCA2000x500":
		return "fit_pca, 2000×500, 3 components"
	case "FitPLS1000x20y2":
		return "fit_pls, 1000×20, Y 1000×2, 2 components"
	case "ThroughputLean":
		return "throughput, same, calls in toolq-child"
	}
	return n
}

func verdict(ok bool, target string) string {
	if ok {
		return target + " ✓"
	}
	return target + " ✗"
}
