package gateway

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/toolq/toolq/jobs"
)

// FuzzRequestParsing feeds the gateway's request parsing — the JSON body,
// the per-call options, ?wait=, Idempotency-Key and Authorization — with
// arbitrary bytes. None may panic, and what each accepts must be within
// its bounds: a body under the limit and holding one JSON object,
// options within the gateway's maxima and on a served queue, a wait no
// longer than its cap, a key of printable ASCII, and only the configured
// secret as a credential.
func FuzzRequestParsing(f *testing.F) {
	const limit = 2048
	const secret = "s3cret-token"
	g := &Gateway{
		opts: Options{
			MaxBodyBytes: limit,
			Client:       &jobs.ClientOptions{Timeout: 10 * time.Second, MemoryBytes: 1 << 30},
		},
		metrics: newMetrics(),
		queues:  map[string]bool{"default": true},
	}
	tok, err := ParseTokens("alice:" + HashToken(secret))
	if err != nil {
		f.Fatal(err)
	}
	auth := newAuthenticator(tok, 10, 10, 10)

	f.Add([]byte(`{"tool": "fit_pca", "input": {"data": [[1,2],[3,4]]}, "timeout_s": 2, "memory_mb": 64, "queue": "default"}`), "30s", "key-1", "Bearer "+secret)
	f.Add([]byte(`{"tool": "x", "input": 1}{"tool": "y"}`), "1e400", "", "Basic Og==")
	f.Add([]byte(`{"tool": "x", "timeout_s": 1e308, "memory_mb": 0.5, "queue": "low"}`), "-5s", "a b", "bearer  "+secret+" ")
	f.Add([]byte(`{"input": {"a": [1, 2, {"b": null}]}, "surprise": true}`), "0", strings.Repeat("k", 256), "Basic "+"YWxpY2U6czNjcmV0LXRva2Vu")
	f.Add([]byte(strings.Repeat("[", 3000)), "99999h", "\x7f", "Bearer")

	f.Fuzz(func(t *testing.T, body []byte, wait, idem, authz string) {
		// The body, as POST /v1/jobs reads it.
		r := httptest.NewRequest(http.MethodPost, "/v1/jobs?wait="+url.QueryEscape(wait), bytes.NewReader(body))
		r.Header.Set("Idempotency-Key", idem)
		r.Header.Set("Authorization", authz)
		var sb submitBody
		rf := g.readBody(httptest.NewRecorder(), r, &sb)
		if rf == nil {
			if len(body) > limit {
				t.Fatalf("accepted a body of %d bytes over the %d limit", len(body), limit)
			}
			so, orf := g.submitOptions(sb.callOptions)
			if orf == nil {
				if so.Timeout < 0 || so.Timeout > 10*time.Second || so.MemoryBytes < 0 || so.MemoryBytes > 1<<30 {
					t.Fatalf("options out of bounds accepted: %+v from %s", so, body)
				}
				if so.Queue != "" && so.Queue != "default" {
					t.Fatalf("unserved queue %q accepted", so.Queue)
				}
			} else if orf.status != http.StatusUnprocessableEntity {
				t.Fatalf("bad options answered %d", orf.status)
			}
		} else if rf.status != http.StatusBadRequest && rf.status != http.StatusRequestEntityTooLarge {
			t.Fatalf("bad body answered %d", rf.status)
		} else if rf.status == http.StatusRequestEntityTooLarge && len(body) <= limit {
			t.Fatalf("a body of %d bytes called too large", len(body))
		}

		if d, wrf := g.waitParam(r, time.Second, 30*time.Second); wrf == nil && (d < 0 || d > 30*time.Second) {
			t.Fatalf("wait=%q gave %s", wait, d)
		}
		if k, krf := idempotencyKey(r); krf == nil && k != "" {
			if len(k) > 255 || strings.IndexFunc(k, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 {
				t.Fatalf("Idempotency-Key %q accepted", k)
			}
		}
		if p, err := auth.fromRequest(r, true); err == nil && p != nil {
			// Only the secret itself opens the door.
			h := strings.TrimSpace(r.Header.Get("Authorization"))
			if !strings.Contains(h, secret) && !strings.HasPrefix(strings.ToLower(h), "basic ") {
				t.Fatalf("authenticated %q without the secret", h)
			}
		}
	})
}
