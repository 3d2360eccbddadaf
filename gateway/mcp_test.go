package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// bearer adds a token to every request the MCP client makes.
type bearer struct{ secret string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.secret)
	return http.DefaultTransport.RoundTrip(r)
}

type progressLog struct {
	mu  sync.Mutex
	got []*mcp.ProgressNotificationParams
}

func (p *progressLog) n() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.got) }

func (h *harness) mcpSession(t *testing.T, secret string, prog *progressLog) *mcp.ClientSession {
	t.Helper()
	opts := &mcp.ClientOptions{}
	if prog != nil {
		opts.ProgressNotificationHandler = func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			prog.mu.Lock()
			prog.got = append(prog.got, req.Params)
			prog.mu.Unlock()
		}
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "toolq-test", Version: "1"}, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs, err := c.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint: h.url + "/mcp", HTTPClient: &http.Client{Transport: bearer{secret}}, DisableStandaloneSSE: true, MaxRetries: -1,
	}, nil)
	if err != nil {
		t.Fatalf("MCP connect: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// outcome is a tool result's structuredContent, checked to agree with its
// text copy.
func outcome(t *testing.T, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	b, _ := json.Marshal(res.StructuredContent)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("structuredContent %s: %v", b, err)
	}
	if len(res.Content) == 0 {
		t.Fatal("no text copy")
	}
	var text map[string]any
	if err := json.Unmarshal([]byte(res.Content[0].(*mcp.TextContent).Text), &text); err != nil || !reflect.DeepEqual(text, m) {
		t.Fatalf("text copy differs from structuredContent: %v", err)
	}
	return m
}

func TestMCP(t *testing.T) {
	t.Parallel()
	h := start(t, func(o *Options) {
		o.MCPWait = 2500 * time.Millisecond
		o.ProgressInterval = 200 * time.Millisecond
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	prog := &progressLog{}
	cs := h.mcpSession(t, aliceSecret, prog)

	// tools/list: every tool with its real input schema, and the companions.
	list, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*mcp.Tool{}
	for _, tl := range list.Tools {
		byName[tl.Name] = tl
	}
	for _, spec := range h.gw.reg.Specs("") {
		tl := byName[spec.Name]
		if tl == nil {
			t.Fatalf("tools/list lacks %s", spec.Name)
		}
		var want, got any
		_ = json.Unmarshal(spec.InputSchema, &want)
		b, _ := json.Marshal(tl.InputSchema)
		_ = json.Unmarshal(b, &got)
		if !reflect.DeepEqual(want, got) {
			t.Fatalf("%s: advertised input schema differs from the registry's:\n%s\n%s", spec.Name, b, spec.InputSchema)
		}
		if tl.Description != spec.Description || tl.OutputSchema == nil {
			t.Fatalf("%s: description or output schema missing", spec.Name)
		}
	}
	if byName[toolGetJobResult] == nil || byName[toolCancelJob] == nil {
		t.Fatal("companion tools missing")
	}

	// tools/call: the result as structuredContent and text. The SDK client
	// checks structuredContent against the advertised output schema.
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "median_absolute_deviation", Arguments: madInput})
	if err != nil {
		t.Fatal(err)
	}
	m := outcome(t, res)
	if res.IsError || m["status"] != "ok" || m["job_id"] == "" {
		t.Fatalf("call: %v", m)
	}
	if mad := m["result"].(map[string]any)["mad"].(float64); mad < 1.4826 || mad > 1.4827 {
		t.Fatalf("mad %v", mad)
	}

	// A typed job error: isError with the error in structuredContent.
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "diag_panic", Arguments: map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	m = outcome(t, res)
	if e, _ := m["error"].(map[string]any); !res.IsError || m["status"] != "error" || e["error"] != "tool_crashed" || m["retryable"] != false {
		t.Fatalf("typed error: %v", m)
	}
	// Invalid arguments: refused before enqueue, as a tool error the model
	// can correct, with the validator's findings.
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "median_absolute_deviation", Arguments: map[string]any{"values": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	m = outcome(t, res)
	if e, _ := m["error"].(map[string]any); !res.IsError || e["error"] != "input_invalid" || m["job_id"] != nil {
		t.Fatalf("invalid arguments: %v", m)
	}
	// An unknown tool is a protocol error.
	if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "nope", Arguments: map[string]any{}}); err == nil {
		t.Fatal("unknown tool accepted")
	}

	// A long call: progress while it waits, then a job id to poll.
	params := &mcp.CallToolParams{Name: "diag_sleep", Arguments: map[string]any{"seconds": 4}}
	params.SetProgressToken("sleep-1")
	start := time.Now()
	res, err = cs.CallTool(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	m = outcome(t, res)
	if el := time.Since(start); res.IsError || m["status"] != "pending" || el < 2400*time.Millisecond || el > 3500*time.Millisecond {
		t.Fatalf("long call answered %v after %s", m, el)
	}
	jobID := m["job_id"].(string)
	if !strings.Contains(m["hint"].(string), toolGetJobResult) {
		t.Errorf("pending answer does not say how to poll: %v", m["hint"])
	}
	if n := prog.n(); n < 5 {
		t.Errorf("%d progress notifications in a 2.5 s wait every 200 ms", n)
	}
	prog.mu.Lock()
	for i, p := range prog.got {
		if p.ProgressToken != "sleep-1" || (i > 0 && p.Progress <= prog.got[i-1].Progress) {
			t.Errorf("progress %d: %+v", i, p)
		}
	}
	prog.mu.Unlock()

	// Another token cannot poll it.
	other := h.mcpSession(t, bobSecret, nil)
	res, err = other.CallTool(ctx, &mcp.CallToolParams{Name: toolGetJobResult, Arguments: map[string]any{"job_id": jobID}})
	if err != nil {
		t.Fatal(err)
	}
	if m := outcome(t, res); !res.IsError || m["error"].(map[string]any)["error"] != "not_found" {
		t.Fatalf("another token polled the job: %v", m)
	}
	// The owner polls until it is done.
	for i := 0; ; i++ {
		res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: toolGetJobResult, Arguments: map[string]any{"job_id": jobID, "wait_s": 2}})
		if err != nil {
			t.Fatal(err)
		}
		m = outcome(t, res)
		if m["status"] != "pending" || i > 5 {
			break
		}
	}
	if m["status"] != "ok" || m["result"].(map[string]any)["slept"] != 4.0 {
		t.Fatalf("polled result: %v", m)
	}

	// cancel_job stops a pending job.
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "diag_sleep", Arguments: map[string]any{"seconds": 4}})
	if err != nil {
		t.Fatal(err)
	}
	jobID = outcome(t, res)["job_id"].(string)
	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: toolCancelJob, Arguments: map[string]any{"job_id": jobID}})
	if err != nil {
		t.Fatal(err)
	}
	if m := outcome(t, res); m["state"] != "cancelled" || m["error"].(map[string]any)["error"] != "cancelled" {
		t.Fatalf("cancel_job: %v", m)
	}
}

// TestMCPGuards: the HTTP checks in front of the MCP handler.
func TestMCPGuards(t *testing.T) {
	t.Parallel()
	h := start(t, func(o *Options) { o.AllowedOrigins = []string{"https://app.example"} })
	init := `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}`
	hdr := func(kv ...string) map[string]string {
		m := map[string]string{"Accept": "application/json, text/event-stream"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	h.want(h.do("POST", "/mcp", "", init, hdr()), 401, "unauthorized")
	h.want(h.do("POST", "/mcp", aliceSecret, init, hdr("Origin", "https://evil.example")), 403, "forbidden")
	// DNS rebinding: a hostile name that resolves to this server.
	req, _ := http.NewRequest("POST", h.url+"/mcp", strings.NewReader(init))
	req.Host = "evil.example"
	req.Header.Set("Authorization", "Bearer "+aliceSecret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 {
		t.Fatalf("Host evil.example: %d", res.StatusCode)
	}
	// An allowed origin, and none at all, pass the guard.
	for _, o := range []string{"https://app.example", ""} {
		hd := hdr("MCP-Protocol-Version", "2025-06-18")
		if o != "" {
			hd["Origin"] = o
		}
		if r := h.do("POST", "/mcp", aliceSecret, `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}`, hd); r.status != 200 {
			t.Fatalf("Origin %q: %d %s", o, r.status, r.raw)
		}
	}
}

func TestHostAllowed(t *testing.T) {
	t.Parallel()
	allowed := []string{"localhost", "[::1]", "api.example.com:443", "127.0.0.1"}
	for host, want := range map[string]bool{
		"localhost": true, "localhost:8080": true, "LOCALHOST:1": true, "[::1]:9": true, "127.0.0.1:5": true,
		"api.example.com:443": true, "api.example.com": false, "api.example.com:80": false,
		"evil.example": false, "localhost.evil.example": false, "": false,
	} {
		if got := hostAllowed(host, allowed); got != want {
			t.Errorf("hostAllowed(%q) = %v", host, got)
		}
	}
}
