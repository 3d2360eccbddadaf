package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/toolq/toolq/gateway"
	"github.com/toolq/toolq/internal/redistest"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	good := "alice:" + gateway.HashToken("s")
	for _, tc := range []struct{ env, val string }{
		{"TOOLQ_GATEWAY_TOKENS", "alice:not-a-hash-but-a-pasted-secret"},
		{"TOOLQ_GATEWAY_RATE", "0"},
		{"TOOLQ_GATEWAY_RATE", "fast"},
		{"TOOLQ_GATEWAY_BURST", "-1"},
		{"TOOLQ_GATEWAY_MAX_JOBS", "0"},
		{"TOOLQ_GATEWAY_MAX_BODY_MB", "0"},
		{"TOOLQ_GATEWAY_MAX_WAIT", "soon"},
		{"TOOLQ_GATEWAY_MCP_WAIT", "-1s"},
		{"TOOLQ_GATEWAY_QUEUES", "a b"},
		{"TOOLQ_GATEWAY_ADDR", "8080"},
		{"TOOLQ_GATEWAY_OPS_WRITABLE", "maybe"},
		{"TOOLQ_GATEWAY_TOKENS_FILE", "/nonexistent/tokens"},
		{"TOOLQ_GATEWAY_WRITE_TIMEOUT", "0"},
		{"TOOLQ_TOOL_TIMEOUT", "0"},
	} {
		env := map[string]string{"TOOLQ_GATEWAY_TOKENS": good, tc.env: tc.val}
		var stderr bytes.Buffer
		code := run(context.Background(), nil, nil, io.Discard, &stderr, envOf(env))
		if code != exitUsage || !strings.Contains(stderr.String(), tc.env) {
			t.Errorf("%s=%q: exit %d, %q does not name the variable", tc.env, tc.val, code, stderr.String())
		}
		if strings.Contains(stderr.String(), "pasted-secret") {
			t.Errorf("%s: the error repeats the value: %s", tc.env, stderr.String())
		}
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), nil, nil, io.Discard, &stderr, envOf(nil)); code != exitUsage || !strings.Contains(stderr.String(), "TOOLQ_GATEWAY_TOKENS") {
		t.Errorf("no tokens: exit %d %q", code, stderr.String())
	}
}

func TestTokenCommands(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code := run(context.Background(), []string{"hash-token"}, strings.NewReader("s3cret\n"), &out, io.Discard, envOf(nil)); code != 0 {
		t.Fatalf("hash-token exit %d", code)
	}
	if got := strings.TrimSpace(out.String()); got != gateway.HashToken("s3cret") {
		t.Fatalf("hash-token printed %q", got)
	}
	out.Reset()
	if code := run(context.Background(), []string{"new-token", "ci"}, nil, &out, io.Discard, envOf(nil)); code != 0 {
		t.Fatalf("new-token exit %d", code)
	}
	var secret, entry string
	for _, l := range strings.Split(out.String(), "\n") {
		if v, ok := strings.CutPrefix(l, "secret (give it to the caller; it is not stored): "); ok {
			secret = v
		}
		if v, ok := strings.CutPrefix(l, "TOOLQ_GATEWAY_TOKENS entry: "); ok {
			entry = v
		}
	}
	if entry != "ci:"+gateway.HashToken(secret) || len(secret) < 40 {
		t.Fatalf("new-token: %q", out.String())
	}
}

// TestServes starts the binary's serve path against a real Redis and
// stops it as SIGTERM would.
func TestServes(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{
		"TOOLQ_REDIS_URL": srv.URL(), "TOOLQ_GATEWAY_ADDR": addr,
		"TOOLQ_GATEWAY_TOKENS": "alice:" + gateway.HashToken("s3cret"), "TOOLQ_LOG_LEVEL": "debug",
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, nil, io.Discard, &logs, envOf(env)) }()
	var res *http.Response
	for i := 0; i < 100; i++ {
		req, _ := http.NewRequest("GET", "http://"+addr+"/v1/tools/median_absolute_deviation", nil)
		req.Header.Set("Authorization", "Bearer s3cret")
		if res, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		cancel()
		t.Fatalf("gateway did not come up: %v\n%s", err, logs.String())
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("gateway did not stop")
	}
	if strings.Contains(logs.String(), "s3cret") {
		t.Fatal("the secret reached the log")
	}
}
