package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/internal/config"
	"github.com/toolq/toolq/jobs"
)

// Exit statuses (the documented interface).
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitWaitTimeout = 3
	exitRedis       = 4
	// exitInterrupted is the shell's convention for a SIGINT.
	exitInterrupted = 130
)

const usageText = `Usage:
  enqueue [flags] TOOL [INPUT]     submit a call; INPUT is inline JSON, @file.json or - for stdin (default {})
  enqueue [flags] get ID           print a job's envelope
  enqueue [flags] wait ID          wait for a job to finish and print its final envelope
  enqueue [flags] cancel ID        cancel a queued or running job
  enqueue [flags] tools [NAME]     list the tools (name, category, description), or print one tool's spec
  enqueue [flags] batch FILE.jsonl submit one {"tool": ..., "input": {...}} per line (- for stdin)

Without --wait a submit prints {"id": ..., "state": "queued"}; with --wait it prints the final
envelope. Input is validated before anything is enqueued. Batch prints one line per input line,
in order, and reports progress on stderr.

Exit status: 0 succeeded (or queued, without --wait); 1 the call finished with a typed error;
2 usage error or input rejected before enqueue (the error JSON is printed); 3 --wait-timeout
passed; 4 Redis unreachable; 130 interrupted (the job goes on).

Flags (each with an environment variable of the same meaning):
`

type cli struct {
	common      *config.Common
	queue       *string
	wait        *bool
	waitTimeout *time.Duration
	category    *string
	parallel    *int

	stdin          io.Reader
	stdout, stderr io.Writer
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("enqueue", flag.ContinueOnError)
	fs.SetOutput(stderr)
	set := config.New(fs)
	c := &cli{
		common:   config.BindCommon(set),
		queue:    set.String("queue", "TOOLQ_QUEUE", jobs.DefaultQueue, "queue to submit to", nil),
		wait:     fs.Bool("wait", false, "wait for the call to finish and print its final envelope"),
		category: fs.String("category", "", "with tools: list only this category"),
		parallel: set.Int("parallel", "TOOLQ_BATCH_PARALLEL", 8, "with batch: calls submitted at once"),
		stdin:    stdin, stdout: stdout, stderr: stderr,
	}
	var wt time.Duration
	c.waitTimeout = &wt
	fs.Func("wait-timeout", "with --wait, wait, get-less: give up after this long (exit 3); default: no limit", func(s string) error {
		d, err := config.ParseDuration(s)
		if err == nil {
			wt = d
		}
		return err
	})
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if err := set.Err(); err != nil {
		return c.usage("%v", err)
	}
	if len(pos) == 0 {
		return c.usage("no tool or command given")
	}
	switch pos[0] {
	case "get", "wait", "cancel":
		if len(pos) != 2 {
			return c.usage("%s takes one job id", pos[0])
		}
		return c.job(ctx, pos[0], pos[1])
	case "tools":
		if len(pos) > 2 {
			return c.usage("tools takes at most one tool name")
		}
		return c.tools(pos[1:])
	case "batch":
		if len(pos) != 2 {
			return c.usage("batch takes one file")
		}
		return c.batch(ctx, pos[1])
	}
	if len(pos) > 2 {
		return c.usage("unexpected argument %q (quote the input JSON)", pos[2])
	}
	input := "{}"
	if len(pos) == 2 {
		input = pos[1]
	}
	return c.submit(ctx, pos[0], input)
}

// parseInterleaved lets flags follow positional arguments ("batch f.jsonl
// --wait"), which the flag package alone does not.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func (c *cli) usage(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "enqueue: %s\nTry: enqueue --help\n", fmt.Sprintf(format, args...))
	return exitUsage
}

func (c *cli) client(ctx context.Context) (*jobs.Client, func(), int) {
	rdb, err := jobs.NewRedisClient(*c.common.RedisURL)
	if err != nil {
		return nil, nil, c.usage("%v", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		_ = rdb.Close()
		fmt.Fprintf(c.stderr, "enqueue: redis unreachable: %v\n", err)
		return nil, nil, exitRedis
	}
	cl := jobs.NewClient(rdb, &jobs.ClientOptions{
		Registry:    c.common.Registry(),
		Limits:      c.common.Limits(),
		Timeout:     *c.common.Timeout,
		MemoryBytes: int64(*c.common.MemoryMB) << 20,
		ResultTTL:   *c.common.ResultTTL,
	})
	return cl, func() { cl.Close(); _ = rdb.Close() }, 0
}

// readInput resolves INPUT: inline JSON, @file or - for stdin.
func (c *cli) readInput(arg string) ([]byte, error) {
	switch {
	case arg == "-":
		return io.ReadAll(c.stdin)
	case strings.HasPrefix(arg, "@"):
		return os.ReadFile(arg[1:])
	}
	return []byte(arg), nil
}

func (c *cli) submit(ctx context.Context, tool, arg string) int {
	input, err := c.readInput(arg)
	if err != nil {
		return c.usage("read input: %v", err)
	}
	cl, done, code := c.prepareClient(ctx, tool, input)
	if cl == nil {
		return code
	}
	defer done()
	env, err := cl.Submit(ctx, tool, input, &jobs.SubmitOptions{Queue: *c.queue})
	if err != nil {
		return c.fail(err)
	}
	if !*c.wait {
		c.print(map[string]any{"id": env.ID, "state": env.State}, true)
		return exitOK
	}
	return c.await(ctx, cl, env.ID)
}

// prepareClient validates before connecting, so a bad call is refused with
// exit status 2 even when Redis is down.
func (c *cli) prepareClient(ctx context.Context, tool string, input []byte) (*jobs.Client, func(), int) {
	if _, err := c.common.Registry().Validate(tool, input, c.common.Limits()); err != nil {
		return nil, nil, c.fail(err)
	}
	return c.client(ctx)
}

func (c *cli) await(ctx context.Context, cl *jobs.Client, id string) int {
	wctx := ctx
	if *c.waitTimeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, *c.waitTimeout)
		defer cancel()
	}
	env, err := cl.Wait(wctx, id)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(c.stderr, "enqueue: interrupted; job %s goes on (enqueue wait %s)\n", id, id)
			return exitInterrupted
		}
		if errors.Is(err, context.DeadlineExceeded) {
			if env != nil {
				c.print(env, true)
			}
			fmt.Fprintf(c.stderr, "enqueue: job %s not finished after %s\n", id, *c.waitTimeout)
			return exitWaitTimeout
		}
		return c.fail(err)
	}
	c.print(env, true)
	return envelopeCode(env)
}

func envelopeCode(env *jobs.Envelope) int {
	if env.State == jobs.Failed || env.State == jobs.Cancelled {
		return exitFailed
	}
	return exitOK
}

func (c *cli) job(ctx context.Context, cmd, id string) int {
	cl, done, code := c.client(ctx)
	if cl == nil {
		return code
	}
	defer done()
	var env *jobs.Envelope
	var err error
	switch cmd {
	case "get":
		env, err = cl.Get(ctx, id)
	case "cancel":
		env, err = cl.Cancel(ctx, id)
	case "wait":
		return c.await(ctx, cl, id)
	}
	if err != nil {
		return c.fail(err)
	}
	c.print(env, true)
	if cmd == "cancel" && env.State == jobs.Cancelled {
		return exitOK
	}
	return envelopeCode(env)
}

func (c *cli) tools(name []string) int {
	reg := c.common.Registry()
	if len(name) == 1 {
		spec, ok := reg.Lookup(name[0])
		if !ok {
			_, err := reg.Validate(name[0], nil, nil)
			return c.fail(err)
		}
		c.print(spec, true)
		return exitOK
	}
	type row struct {
		Name        string `json:"name"`
		Category    string `json:"category"`
		Description string `json:"description"`
	}
	var rows []row
	for _, s := range reg.Specs(*c.category) {
		d, _, _ := strings.Cut(s.Description, "\n")
		rows = append(rows, row{s.Name, s.Category, d})
	}
	c.print(rows, true)
	return exitOK
}

// fail prints err (as the error JSON when it is typed) and returns its
// exit status.
func (c *cli) fail(err error) int {
	var ce *errcode.Error
	switch {
	case errors.As(err, &ce):
		c.print(ce, true)
		return exitUsage
	case errors.Is(err, jobs.ErrNotFound):
		c.print(errcode.New(errcode.InputInvalid, "no such job (it never existed, or its retention has passed)").With("reason", "not_found"), true)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(c.stderr, "enqueue: interrupted")
		return exitInterrupted
	case errors.Is(err, jobs.ErrUnavailable):
		fmt.Fprintf(c.stderr, "enqueue: %v\n", err)
		return exitRedis
	}
	fmt.Fprintf(c.stderr, "enqueue: %v\n", err)
	return exitFailed
}

func (c *cli) print(v any, indent bool) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	_ = enc.Encode(v)
	_, _ = c.stdout.Write(buf.Bytes())
}

// batchLine is one line of a batch file.
type batchLine struct {
	Tool      string          `json:"tool"`
	Input     json.RawMessage `json:"input"`
	ID        string          `json:"id,omitempty"`
	Queue     string          `json:"queue,omitempty"`
	TimeoutMS int64           `json:"timeout_ms,omitempty"`
	MemoryMB  int64           `json:"memory_mb,omitempty"`
}

func (c *cli) batch(ctx context.Context, file string) int {
	var r io.Reader = c.stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return c.usage("%v", err)
		}
		defer f.Close()
		r = f
	}
	// One entry per non-blank input line, in order: either a call (an index
	// into calls) or the error that refused the line.
	type entry struct {
		line int
		call int
		err  *errcode.Error
		env  *jobs.Envelope
	}
	var calls []jobs.BatchCall
	var entries []entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 256<<20)
	n := 0
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		var bl batchLine
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&bl); err != nil || bl.Tool == "" {
			msg := `a line must be {"tool": NAME, "input": {...}}`
			if err != nil {
				msg += ": " + err.Error()
			}
			entries = append(entries, entry{line: n, call: -1, err: errcode.New(errcode.InputInvalid, "%s", msg)})
			continue
		}
		opts := &jobs.SubmitOptions{ID: bl.ID, Queue: bl.Queue, Timeout: time.Duration(bl.TimeoutMS) * time.Millisecond, MemoryBytes: bl.MemoryMB << 20}
		if opts.Queue == "" {
			opts.Queue = *c.queue
		}
		entries = append(entries, entry{line: n, call: len(calls)})
		calls = append(calls, jobs.BatchCall{Tool: bl.Tool, Input: bl.Input, Options: opts})
	}
	if err := sc.Err(); err != nil {
		return c.usage("read %s: %v", file, err)
	}
	cl, done, code := c.client(ctx)
	if cl == nil {
		return code
	}
	defer done()
	fmt.Fprintf(c.stderr, "batch: submitting %d calls\n", len(calls))
	subs := cl.SubmitBatch(ctx, calls, *c.parallel)
	queued, unreachable := 0, false
	for i := range entries {
		e := &entries[i]
		if e.call < 0 {
			continue
		}
		res := subs[e.call]
		var ce *errcode.Error
		switch {
		case res.Err == nil:
			e.env = res.Envelope
			queued++
		case errors.As(res.Err, &ce):
			e.err = ce
		default:
			// Redis failed for this line: say so on its line, and keep
			// printing the others (some may be queued already).
			unreachable = true
			e.err = errcode.New(errcode.Internal, "not submitted: %v", res.Err).With("reason", "redis_unavailable")
		}
	}
	fmt.Fprintf(c.stderr, "batch: %d queued, %d refused\n", queued, len(entries)-queued)

	wctx := ctx
	if *c.waitTimeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, *c.waitTimeout)
		defer cancel()
	}
	worst, finished := exitOK, 0
	if unreachable {
		worst = exitRedis
	}
	for _, e := range entries {
		if e.err != nil {
			c.print(map[string]any{"line": e.line, "error": e.err.Code, "message": e.err.Message, "details": e.err.Details}, false)
			if e.err.Code != errcode.Internal {
				worst = max(worst, exitUsage)
			}
			continue
		}
		if !*c.wait {
			c.print(map[string]any{"id": e.env.ID, "state": e.env.State}, false)
			continue
		}
		final, err := cl.Wait(wctx, e.env.ID)
		if err != nil {
			if ctx.Err() != nil {
				return exitInterrupted
			}
			if errors.Is(err, context.DeadlineExceeded) {
				if final != nil {
					c.print(final, false)
				}
				fmt.Fprintf(c.stderr, "batch: gave up waiting after %s\n", *c.waitTimeout)
				return exitWaitTimeout
			}
			return c.fail(err)
		}
		finished++
		fmt.Fprintf(c.stderr, "batch: %d/%d finished\n", finished, queued)
		if envelopeCode(final) == exitFailed && worst == exitOK {
			worst = exitFailed
		}
		c.print(final, false)
	}
	return worst
}
