package gateway

import (
	"encoding/base64"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestOperatorViews(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	h.want(h.do("POST", "/v1/tools/diag_echo:call", aliceSecret, map[string]any{}, nil), 200, "")

	// /ops/: operators only; a browser gets a Basic prompt.
	r := h.do("GET", "/ops/", "", nil, nil)
	h.want(r, 401, "unauthorized")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("/ops/ 401 does not prompt a browser: %q", r.header.Get("WWW-Authenticate"))
	}
	h.want(h.do("GET", "/ops/", aliceSecret, nil, nil), 403, "forbidden")
	r = h.do("GET", "/ops/", opsSecret, nil, nil)
	if r.status != 200 || !strings.Contains(string(r.raw), "<html") {
		t.Fatalf("/ops/ for an operator: %d %.200s", r.status, r.raw)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("anyone:"+opsSecret))
	r = h.do("GET", "/ops/api/queues", "", nil, map[string]string{"Authorization": basic})
	if r.status != 200 || !strings.Contains(string(r.raw), `"default"`) {
		t.Fatalf("/ops/api/queues with Basic: %d %s", r.status, r.raw)
	}
	// Read-only: no changes to the queue.
	for _, m := range []string{"POST", "DELETE"} {
		r = h.do(m, "/ops/api/queues/default:pause", opsSecret, nil, nil)
		if r.status != 405 {
			t.Errorf("%s on read-only /ops/: %d %s", m, r.status, r.raw)
		}
	}
	h.want(h.do("DELETE", "/ops/api/queues/default", opsSecret, nil, nil), 405, "forbidden")

	// /metrics: operators only by default.
	h.want(h.do("GET", "/metrics", "", nil, nil), 401, "unauthorized")
	h.want(h.do("GET", "/metrics", aliceSecret, nil, nil), 403, "forbidden")
	r = h.do("GET", "/metrics", opsSecret, nil, nil)
	if r.status != 200 || !strings.Contains(string(r.raw), `toolq_gateway_http_requests_total{code="200",method="POST",route="POST /v1/tools/{name}"} 1`) ||
		!strings.Contains(string(r.raw), `toolq_gateway_jobs_submitted_total{via="rest"} 1`) {
		t.Fatalf("/metrics: %d\n%s", r.status, r.raw)
	}

	// Health, readiness and the document need no token.
	h.want(h.do("GET", "/healthz", "", nil, nil), 200, "")
	h.want(h.do("GET", "/readyz", "", nil, nil), 200, "")
	r = h.do("GET", "/openapi.json", "", nil, nil)
	if r.status != 200 || r.str("openapi") != "3.1.0" {
		t.Fatalf("/openapi.json: %d %.100s", r.status, r.raw)
	}
	h.want(h.do("GET", "/nowhere", aliceSecret, nil, nil), 404, "not_found")
}

// TestRedisDown: with Redis unreachable, /readyz says so and calls are
// refused with 503 and Retry-After, not hung or answered as 500.
func TestRedisDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer rdb.Close()
	g, err := New(Options{Redis: rdb, Tokens: []Token{token(t, "alice:"+HashToken(aliceSecret))}, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/readyz", 503},
		{"GET", "/healthz", 200},
		{"POST", "/v1/jobs", 503},
		{"GET", "/v1/jobs/abc", 503},
	} {
		req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{"tool":"median_absolute_deviation","input":{"values":[1,2]}}`))
		req.Header.Set("Authorization", "Bearer "+aliceSecret)
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		if rec.Code != tc.status {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, rec.Code, rec.Body)
		}
		if tc.status == 503 && tc.path != "/readyz" && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s %s: 503 without Retry-After", tc.method, tc.path)
		}
	}
}

func TestParseTokens(t *testing.T) {
	t.Parallel()
	hash := HashToken("s3cret")
	toks, err := ParseTokens("# comment\nalice:" + hash + ":rate=2.5:burst=3:jobs=4, ops:" + HashToken("x") + ":operator\n")
	if err != nil || len(toks) != 2 || toks[0].Rate != 2.5 || toks[0].Burst != 3 || toks[0].MaxJobs != 4 || !toks[1].Operator || toks[0].Operator {
		t.Fatalf("%+v %v", toks, err)
	}
	a := newAuthenticator(toks, 1, 1, 1)
	if p := a.lookup("s3cret"); p == nil || p.Name != "alice" || p.Rate != 2.5 {
		t.Fatalf("lookup: %+v", p)
	}
	if a.lookup("s3cre") != nil || a.lookup("") != nil || a.lookup(hash) != nil {
		t.Fatal("a wrong secret, or the hash itself, authenticated")
	}
	for _, bad := range []string{
		"alice", "alice:s3cret", "alice:" + hash[:63], "al ice:" + hash, "alice:" + hash + ":admin",
		"alice:" + hash + ":rate=0", "alice:" + hash + ",alice:" + HashToken("y"), "a:" + hash + ",b:" + hash,
	} {
		_, err := ParseTokens(bad)
		if err == nil {
			t.Errorf("ParseTokens(%q) accepted", bad)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error echoes the secret: %v", err)
		}
	}
}
