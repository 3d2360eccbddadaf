package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/toolq/toolq/gateway"
	"github.com/toolq/toolq/internal/config"
	"github.com/toolq/toolq/jobs"
)

// settings is the gateway's whole configuration.
type settings struct {
	*config.Common
	*config.Logging
	addr              *string
	tokens            *string
	tokensFile        *string
	rate              *string
	burst             *int
	maxJobs           *int
	queues            *string
	maxBodyMB         *int
	maxWait           *time.Duration
	callWait          *time.Duration
	mcpWait           *time.Duration
	allowedHosts      *string
	allowedOrigins    *string
	opsWritable       *bool
	publicMetrics     *bool
	readHeaderTimeout *time.Duration
	readTimeout       *time.Duration
	writeTimeout      *time.Duration
	idleTimeout       *time.Duration
	grace             *time.Duration
	tlsCert           *string
	tlsKey            *string
}

func bind(s *config.Set) *settings {
	return &settings{
		Common:            config.BindCommon(s),
		Logging:           config.BindLogging(s),
		addr:              s.String("listen", "TOOLQ_GATEWAY_ADDR", "127.0.0.1:8080", "address to listen on (host:port)", checkAddr),
		tokens:            s.String("tokens", "TOOLQ_GATEWAY_TOKENS", "", "accepted tokens: NAME:SHA256HEX[:operator][:rate=N][:burst=N][:jobs=N], comma-separated (`gateway new-token NAME` makes one)", checkTokens),
		tokensFile:        s.String("tokens-file", "TOOLQ_GATEWAY_TOKENS_FILE", "", "file of token entries, one per line (# comments), added to --tokens", checkTokensFile),
		rate:              s.String("rate", "TOOLQ_GATEWAY_RATE", "20", "requests per second per token (a token's rate=N overrides)", checkPositiveFloat),
		burst:             s.Int("burst", "TOOLQ_GATEWAY_BURST", gateway.DefaultBurst, "requests a token may make at once above its rate"),
		maxJobs:           s.Int("max-jobs", "TOOLQ_GATEWAY_MAX_JOBS", gateway.DefaultMaxJobs, "unfinished jobs per token"),
		queues:            s.String("queues", "TOOLQ_GATEWAY_QUEUES", jobs.DefaultQueue, "queues callers may name, comma-separated (the first is not implied: \"default\" is used when a call names none)", checkQueues),
		maxBodyMB:         s.IntUpTo("max-body-mb", "TOOLQ_GATEWAY_MAX_BODY_MB", gateway.DefaultMaxBodyBytes>>20, 1024, "largest request body, in MiB"),
		maxWait:           s.Duration("max-wait", "TOOLQ_GATEWAY_MAX_WAIT", gateway.DefaultMaxWait, "longest long-poll a GET /v1/jobs/{id}?wait= may ask for"),
		callWait:          s.Duration("call-wait", "TOOLQ_GATEWAY_CALL_WAIT", gateway.DefaultCallWait, "how long POST /v1/tools/{name}:call waits before answering 202"),
		mcpWait:           s.Duration("mcp-wait", "TOOLQ_GATEWAY_MCP_WAIT", gateway.DefaultMCPWait, "how long an MCP tools/call waits before handing back a job id"),
		allowedHosts:      s.String("allowed-hosts", "TOOLQ_GATEWAY_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]", "Host values /mcp answers, comma-separated (a name without port matches any port): set your public host name", nil),
		allowedOrigins:    s.String("allowed-origins", "TOOLQ_GATEWAY_ALLOWED_ORIGINS", "", "browser origins /mcp accepts (scheme://host[:port]), comma-separated; requests with any other Origin are refused", nil),
		opsWritable:       s.Bool("ops-writable", "TOOLQ_GATEWAY_OPS_WRITABLE", false, "let operators change the queue from /ops/ (default: read-only)"),
		publicMetrics:     s.Bool("public-metrics", "TOOLQ_GATEWAY_PUBLIC_METRICS", false, "serve /metrics without a token (default: operator tokens only)"),
		readHeaderTimeout: s.Duration("read-header-timeout", "TOOLQ_GATEWAY_READ_HEADER_TIMEOUT", gateway.DefaultReadHeaderTimout, "time to read a request's headers"),
		readTimeout:       s.Duration("read-timeout", "TOOLQ_GATEWAY_READ_TIMEOUT", gateway.DefaultReadTimeout, "time to read a whole request, body included"),
		writeTimeout:      s.Duration("write-timeout", "TOOLQ_GATEWAY_WRITE_TIMEOUT", gateway.DefaultWriteTimeout, "time to write a response (waiting requests get their wait on top)"),
		idleTimeout:       s.Duration("idle-timeout", "TOOLQ_GATEWAY_IDLE_TIMEOUT", gateway.DefaultIdleTimeout, "how long an idle keep-alive connection is kept"),
		grace:             s.Duration("shutdown-grace", "TOOLQ_SHUTDOWN_GRACE", 30*time.Second, "on SIGTERM, how long in-flight requests may finish"),
		tlsCert:           s.String("tls-cert", "TOOLQ_GATEWAY_TLS_CERT", "", "serve HTTPS with this certificate (PEM; with --tls-key); otherwise plain HTTP behind a TLS proxy", checkFile),
		tlsKey:            s.String("tls-key", "TOOLQ_GATEWAY_TLS_KEY", "", "the certificate's private key (PEM)", checkFile),
	}
}

func checkAddr(v string) error {
	_, _, err := net.SplitHostPort(v)
	return err
}

// checkTokens never echoes the value: it may hold a secret pasted by
// mistake. config.Set quotes the raw value in its error; parse replaces it
// (see tokenValue).
func checkTokens(v string) error {
	_, err := gateway.ParseTokens(v)
	return err
}

func checkTokensFile(v string) error {
	b, err := os.ReadFile(v)
	if err != nil {
		return err
	}
	_, err = gateway.ParseTokens(string(b))
	return err
}

func checkPositiveFloat(v string) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || !(f > 0) || f > 1e6 {
		return errors.New("must be a positive number (at most 1e6)")
	}
	return nil
}

var queueName = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

func checkQueues(v string) error {
	if len(splitList(v)) == 0 {
		return errors.New("no queues")
	}
	for _, q := range splitList(v) {
		if !queueName.MatchString(q) {
			return fmt.Errorf("queue %q: use 1 to 64 of A-Z a-z 0-9 _ . : -", q)
		}
	}
	return nil
}

func checkFile(v string) error {
	_, err := os.Stat(v)
	return err
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// tokenValue finds the value of TOOLQ_GATEWAY_TOKENS in errors from the
// environment, which parse hides: a pasted secret must not reach a log.
var tokenValue = regexp.MustCompile(`(TOOLQ_GATEWAY_TOKENS)="(?:[^"\\]|\\.)*"`)

func parse(args []string, stderr io.Writer, getenv func(string) string) (*settings, error) {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	set := config.New(fs).WithEnv(getenv)
	st := bind(set)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: gateway [flags]\n       gateway hash-token < secret\n       gateway new-token NAME\n\nServes toolq's REST API (/v1), MCP endpoint (/mcp) and operators' views (/ops/, /metrics).\n\nFlags (each with an environment variable of the same meaning):\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		}
		return nil, errUsage
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := set.Err(); err != nil {
		return nil, errors.New(tokenValue.ReplaceAllString(err.Error(), `$1=…`))
	}
	if (*st.tlsCert == "") != (*st.tlsKey == "") {
		return nil, errors.New("TOOLQ_GATEWAY_TLS_CERT and TOOLQ_GATEWAY_TLS_KEY must be set together")
	}
	return st, nil
}

var (
	errHelp  = errors.New("help")
	errUsage = errors.New("usage") // the flag package has printed why
)

// options turns the settings into gateway options.
func (st *settings) options() (gateway.Options, error) {
	tokens, _ := gateway.ParseTokens(*st.tokens)
	if *st.tokensFile != "" {
		b, err := os.ReadFile(*st.tokensFile)
		if err != nil {
			return gateway.Options{}, fmt.Errorf("TOOLQ_GATEWAY_TOKENS_FILE: %w", err)
		}
		more, err := gateway.ParseTokens(*st.tokens + "\n" + string(b))
		if err != nil {
			return gateway.Options{}, fmt.Errorf("TOOLQ_GATEWAY_TOKENS and TOOLQ_GATEWAY_TOKENS_FILE together: %w", err)
		}
		tokens = more
	}
	if len(tokens) == 0 {
		return gateway.Options{}, errors.New("TOOLQ_GATEWAY_TOKENS (or TOOLQ_GATEWAY_TOKENS_FILE) names no token: every request would be refused. Make one with `gateway new-token NAME`")
	}
	rate, _ := strconv.ParseFloat(strings.TrimSpace(*st.rate), 64)
	return gateway.Options{
		Client: &jobs.ClientOptions{
			Registry: st.Registry(), Limits: st.Limits(),
			Timeout: *st.Timeout, MemoryBytes: int64(*st.MemoryMB) << 20, ResultTTL: *st.ResultTTL,
		},
		Tokens: tokens, Rate: rate, Burst: *st.burst, MaxJobs: *st.maxJobs,
		Queues:       splitList(*st.queues),
		MaxBodyBytes: int64(*st.maxBodyMB) << 20,
		MaxWait:      *st.maxWait, CallWait: *st.callWait, MCPWait: *st.mcpWait,
		AllowedHosts: splitList(*st.allowedHosts), AllowedOrigins: splitList(*st.allowedOrigins),
		OpsWritable: *st.opsWritable, PublicMetrics: *st.publicMetrics,
		Version: version,
	}, nil
}

func serve(ctx context.Context, args []string, _, stderr io.Writer, getenv func(string) string) int {
	st, err := parse(args, stderr, getenv)
	switch {
	case errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	case err != nil:
		fmt.Fprintf(stderr, "gateway: %v\nTry: gateway --help\n", err)
		return exitUsage
	}
	opts, err := st.options()
	if err != nil {
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitUsage
	}
	log := st.Logger(stderr)
	opts.Logger = log
	rdb, err := jobs.NewRedisClient(*st.RedisURL)
	if err != nil {
		fmt.Fprintf(stderr, "gateway: TOOLQ_REDIS_URL: %v\n", err)
		return exitUsage
	}
	defer rdb.Close()
	opts.Redis = rdb
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	if err := rdb.Ping(pctx).Err(); err != nil {
		// Serve anyway: /readyz says not ready until Redis answers, which
		// is what an orchestrator starting Redis and the gateway together
		// expects.
		log.Warn("redis unreachable at start; /readyz reports it", "err", err)
	}
	cancel()
	g, err := gateway.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitError
	}
	defer g.Close()
	srv := g.Server(*st.addr, gateway.Timeouts{
		ReadHeader: *st.readHeaderTimeout, Read: *st.readTimeout, Write: *st.writeTimeout, Idle: *st.idleTimeout,
	})
	ln, err := net.Listen("tcp", *st.addr)
	if err != nil {
		fmt.Fprintf(stderr, "gateway: TOOLQ_GATEWAY_ADDR: %v\n", err)
		return exitError
	}
	if *st.Diagnostics {
		log.Warn("diagnostic tools are offered: they misbehave on purpose; never on a public gateway")
	}
	log.Info("gateway listening", "addr", ln.Addr().String(), "version", version, "tokens", len(opts.Tokens),
		"tls", *st.tlsCert != "", "queues", opts.Queues, "rate", opts.Rate, "burst", opts.Burst, "max_jobs", opts.MaxJobs,
		"allowed_hosts", opts.AllowedHosts, "ops_writable", opts.OpsWritable)
	errc := make(chan error, 1)
	go func() {
		if *st.tlsCert != "" {
			errc <- srv.ServeTLS(ln, *st.tlsCert, *st.tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitError
	case <-ctx.Done():
	}
	log.Info("gateway stopping", "grace", *st.grace)
	sctx, scancel := context.WithTimeout(context.Background(), *st.grace)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("requests still running at the end of the grace period were cut", "err", err)
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("serve", "err", err)
	}
	log.Info("gateway stopped")
	return exitOK
}

// hashToken prints the SHA-256 of the secret on stdin (one line; the
// trailing newline is not part of it).
func hashToken(stdin io.Reader, stdout, stderr io.Writer) int {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitError
	}
	secret := strings.TrimRight(line, "\r\n")
	if secret == "" {
		fmt.Fprintln(stderr, "gateway hash-token: give the secret on stdin")
		return exitUsage
	}
	fmt.Fprintln(stdout, gateway.HashToken(secret))
	return exitOK
}

// newToken prints a random 256-bit secret (for the caller) and its entry
// (for TOOLQ_GATEWAY_TOKENS). The secret is shown once and stored nowhere.
func newToken(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "Usage: gateway new-token NAME")
		return exitUsage
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitError
	}
	secret := "tq_" + base64.RawURLEncoding.EncodeToString(b[:])
	entry := args[0] + ":" + gateway.HashToken(secret)
	if _, err := gateway.ParseTokens(entry); err != nil {
		fmt.Fprintf(stderr, "gateway: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "secret (give it to the caller; it is not stored): %s\nTOOLQ_GATEWAY_TOKENS entry: %s\n", secret, entry)
	return exitOK
}
