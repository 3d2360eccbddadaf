package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/internal/redistest"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/jobs/child"
	"github.com/toolq/toolq/sandbox"
	"github.com/toolq/toolq/tools"
)

// The test binary is also the sandboxed child: the in-process worker starts
// /proc/self/exe with child.Arg for every call.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == child.Arg {
		os.Exit(child.Main())
	}
	os.Exit(m.Run())
}

// The tokens every harness accepts. Only their hashes reach the gateway.
const (
	aliceSecret = "alice-secret-6f1d2c"
	bobSecret   = "bob-secret-93ab71"
	opsSecret   = "ops-secret-0c55e2"
)

func quiet() *slog.Logger {
	if os.Getenv("TOOLQ_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// harness is a real redis-server, a real worker running sandboxed children,
// and the gateway on a loopback listener.
type harness struct {
	t   *testing.T
	url string
	rdb redis.UniversalClient
	gw  *Gateway
	// logs holds everything the gateway logged, to prove secrets stay out.
	logs *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func token(t *testing.T, entry string) Token {
	t.Helper()
	toks, err := ParseTokens(entry)
	if err != nil || len(toks) != 1 {
		t.Fatalf("ParseTokens(%q): %v %v", entry, toks, err)
	}
	return toks[0]
}

// start brings the stack up; tweak may change the gateway's options.
func start(t *testing.T, tweak func(*Options)) *harness {
	t.Helper()
	srv := redistest.Start(t)
	rdb := redistest.Client(t, srv)
	mode, err := sandbox.ParseMode(os.Getenv("TOOLQ_TEST_SANDBOX"))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(&sandbox.Options{Mode: mode, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	w, err := jobs.NewWorker(rdb, &jobs.WorkerOptions{
		Sandbox: sb, Enforcement: string(sb.Enforcement()), Diagnostics: true, Concurrency: 2,
		MaxTimeout: 10 * time.Second, MaxMemoryBytes: 512 << 20, MaxOutputBytes: 1 << 20, Logger: quiet(),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- w.Serve(ctx, &jobs.ServerOptions{ShutdownTimeout: time.Second, Started: func() { close(started) }})
	}()
	select {
	case <-started:
	case err := <-served:
		cancel()
		t.Fatalf("worker did not start: %v", err)
	}
	logs := &syncBuffer{}
	opts := Options{
		Redis: rdb,
		Client: &jobs.ClientOptions{
			Registry: tools.WithDiagnostics(), Timeout: 10 * time.Second, MemoryBytes: 256 << 20,
			Limits: &tools.Limits{MaxCells: 1000},
		},
		Tokens: []Token{
			token(t, "alice:"+HashToken(aliceSecret)),
			token(t, "bob:"+HashToken(bobSecret)),
			token(t, "ops:"+HashToken(opsSecret)+":operator"),
		},
		Rate: 1000, Burst: 1000,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if tweak != nil {
		tweak(&opts)
	}
	gw, err := New(opts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(gw)
	hs.Config = gw.Server("", Timeouts{})
	hs.Start()
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		gw.Close()
		cancel()
		if err := <-served; err != nil {
			t.Errorf("worker Serve: %v", err)
		}
		if err := sb.Close(); err != nil {
			t.Errorf("sandbox close: %v", err)
		}
		for _, s := range []string{aliceSecret, bobSecret, opsSecret} {
			if strings.Contains(logs.String(), s) {
				t.Errorf("a secret reached the log")
			}
		}
	})
	return &harness{t: t, url: hs.URL, rdb: rdb, gw: gw, logs: logs}
}

// resp is one answer, its body decoded when it is JSON.
type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r *resp) str(k string) string { s, _ := r.body[k].(string); return s }

func (r *resp) errCode() string {
	if e, ok := r.body["error"].(map[string]any); ok { // an envelope's error
		s, _ := e["error"].(string)
		return s
	}
	return r.str("error")
}

// do makes a request with secret as bearer token ("" for none) and checks
// the answer against the OpenAPI document when the route is in it.
func (h *harness) do(method, path, secret string, body any, hdr map[string]string) *resp {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := &resp{status: res.StatusCode, header: res.Header, raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			h.t.Fatalf("%s %s: body is not a JSON object: %v: %s", method, path, err, raw)
		}
	}
	checkOpenAPI(h.t, method, path, r)
	return r
}

func (h *harness) want(r *resp, status int, code string) {
	h.t.Helper()
	if r.status != status || (code != "" && r.errCode() != code) {
		h.t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, code)
	}
}

// The OpenAPI document, parsed once, with its component schemas moved to
// $defs so that each response schema can be validated as a JSON Schema.
var (
	specOnce sync.Once
	spec     struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Responses map[string]json.RawMessage `json:"responses"`
			Schemas   map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	specRoutes []specRoute
)

type specRoute struct {
	template string
	re       *regexp.Regexp
}

func loadSpec(t *testing.T) {
	specOnce.Do(func() {
		doc := strings.ReplaceAll(string(openAPI), "#/components/schemas/", "#/$defs/")
		if err := json.Unmarshal([]byte(doc), &spec); err != nil {
			panic(err)
		}
		for tmpl := range spec.Paths {
			re := "^" + regexp.MustCompile(`\\\{[a-z]+\\\}`).ReplaceAllString(regexp.QuoteMeta(tmpl), `[^/]+`) + "$"
			specRoutes = append(specRoutes, specRoute{tmpl, regexp.MustCompile(re)})
		}
		// The most literal template first: /v1/tools/{name}:call before
		// /v1/tools/{name}.
		sort.Slice(specRoutes, func(i, j int) bool {
			return len(strings.Split(specRoutes[i].template, "{")[0])+strings.Count(specRoutes[i].template, ":") >
				len(strings.Split(specRoutes[j].template, "{")[0])+strings.Count(specRoutes[j].template, ":")
		})
	})
}

// checkOpenAPI fails the test when a response's status is not documented
// for its route, or its JSON body does not match the documented schema.
func checkOpenAPI(t *testing.T, method, path string, r *resp) {
	t.Helper()
	loadSpec(t)
	p, _, _ := strings.Cut(path, "?")
	var tmpl string
	for _, sr := range specRoutes {
		if sr.re.MatchString(p) {
			tmpl = sr.template
			break
		}
	}
	if tmpl == "" {
		return // /mcp, /ops/: not part of the REST API
	}
	var op struct {
		Responses map[string]json.RawMessage `json:"responses"`
	}
	raw, ok := spec.Paths[tmpl][strings.ToLower(method)]
	if !ok && (r.status == 404 || r.status == 405) {
		return // a method the route does not have
	}
	if !ok {
		t.Fatalf("OpenAPI: %s %s is not documented", method, tmpl)
	}
	_ = json.Unmarshal(raw, &op)
	rr, ok := op.Responses[fmt.Sprint(r.status)]
	if !ok {
		t.Fatalf("OpenAPI: %s %s does not document status %d (%s)", method, tmpl, r.status, r.raw)
	}
	var ref struct {
		Ref     string `json:"$ref"`
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	}
	_ = json.Unmarshal(rr, &ref)
	if ref.Ref != "" {
		_ = json.Unmarshal(spec.Components.Responses[strings.TrimPrefix(ref.Ref, "#/components/responses/")], &ref)
	}
	c, ok := ref.Content["application/json"]
	if !ok {
		return
	}
	if r.body == nil {
		t.Fatalf("OpenAPI: %s %s %d: documented as JSON, got %q", method, tmpl, r.status, r.header.Get("Content-Type"))
	}
	schema := map[string]any{"$defs": spec.Components.Schemas}
	for k, v := range c.Schema {
		schema[k] = v
	}
	b, _ := json.Marshal(schema)
	var s jsonschema.Schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("OpenAPI schema: %v", err)
	}
	rs, err := s.Resolve(nil)
	if err != nil {
		t.Fatalf("OpenAPI schema for %s %s %d: %v", method, tmpl, r.status, err)
	}
	var inst any
	_ = json.Unmarshal(r.raw, &inst)
	if err := rs.Validate(inst); err != nil {
		t.Fatalf("OpenAPI: %s %s %d: the body does not match the document: %v\n%s", method, tmpl, r.status, err, r.raw)
	}
}
