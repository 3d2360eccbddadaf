package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

type hostileEntry struct {
	Name   string `json:"name"`
	Tool   string `json:"tool"`
	Code   string `json:"code"`
	Input  *string
	Base64 string `json:"input_base64"`
	Gen    *struct {
		Prefix, Item, Sep, Middle, Closing, Suffix string
		Count                                      int
	} `json:"gen"`
}

func (e hostileEntry) bytes(t *testing.T) []byte {
	switch {
	case e.Input != nil:
		return []byte(*e.Input)
	case e.Base64 != "":
		b, err := base64.StdEncoding.DecodeString(e.Base64)
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		return b
	case e.Gen != nil:
		g := e.Gen
		var b bytes.Buffer
		b.WriteString(g.Prefix)
		for i := 0; i < g.Count; i++ {
			if i > 0 {
				b.WriteString(g.Sep)
			}
			b.WriteString(g.Item)
		}
		b.WriteString(g.Middle)
		for i := 0; g.Closing != "" && i < g.Count; i++ {
			b.WriteString(g.Closing)
		}
		b.WriteString(g.Suffix)
		return b.Bytes()
	}
	t.Fatalf("%s: no input", e.Name)
	return nil
}

func loadCorpus(t *testing.T) []hostileEntry {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/hostile/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Entries []struct {
			hostileEntry
			Input *string `json:"input"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	out := make([]hostileEntry, len(c.Entries))
	for i, e := range c.Entries {
		out[i] = e.hostileEntry
		out[i].Input = e.Input
	}
	return out
}

// TestHostileCorpus runs every entry of testdata/hostile through the
// registry, the Go client, the CLI and the gateway, and checks each gets its
// code — and that no refusal echoes a huge input back.
//
// Through the gateway the input travels inside a JSON body, so an entry
// that is not one JSON value (truncated, trailing data, nothing) makes the
// body itself malformed: there the gateway's own bad_request is the right
// answer.
func TestHostileCorpus(t *testing.T) {
	t.Parallel()
	corpus := loadCorpus(t)
	if len(corpus) < 50 {
		t.Fatalf("corpus has %d entries", len(corpus))
	}
	e := newEnv(t)
	rdb, err := jobs.NewRedisClient(e.redis.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	client := jobs.NewClient(rdb, nil)
	defer client.Close()
	ctx := context.Background()
	gw := e.startGateway()
	viaGateway := func(entry hostileEntry, input []byte) (status int, code string, body []byte) {
		var b bytes.Buffer
		b.WriteString(`{"tool": `)
		name, _ := json.Marshal(entry.Tool)
		b.Write(name)
		if len(input) > 0 {
			b.WriteString(`, "input": `)
			b.Write(input)
		}
		b.WriteString(`}`)
		req, _ := http.NewRequest(http.MethodPost, gw+"/v1/jobs", &b)
		req.Header.Set("Authorization", "Bearer "+gatewayToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: gateway: %v", entry.Name, err)
		}
		defer resp.Body.Close()
		body, _ = io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusAccepted {
			return resp.StatusCode, "ok", body
		}
		var ce errcode.Error
		_ = json.Unmarshal(body, &ce)
		return resp.StatusCode, string(ce.Code), body
	}
	codeOf := func(err error) string {
		if err == nil {
			return "ok"
		}
		return string(errcode.Of(err))
	}
	for _, entry := range corpus {
		input := entry.bytes(t)
		// The registry.
		_, err := tools.Standard().Validate(entry.Tool, input, nil)
		if got := codeOf(err); got != entry.Code {
			t.Errorf("%s: Validate gives %s (%v), want %s", entry.Name, got, err, entry.Code)
		}
		if ce, ok := err.(*errcode.Error); ok {
			if b, _ := json.Marshal(ce); len(b) > 4096 {
				t.Errorf("%s: the error is %d bytes long", entry.Name, len(b))
			}
		}
		// The Go client.
		_, err = client.Submit(ctx, entry.Tool, input, nil)
		if got := codeOf(err); got != entry.Code {
			t.Errorf("%s: Submit gives %s (%v), want %s", entry.Name, got, err, entry.Code)
		}
		// The gateway.
		status, got, body := viaGateway(entry, input)
		want := entry.Code
		if len(input) > 0 && !json.Valid(input) {
			want = "bad_request"
		}
		if got != want {
			t.Errorf("%s: the gateway answers %d %s, want %s: %.300s", entry.Name, status, got, want, body)
		}
		if len(body) > 8192 {
			t.Errorf("%s: the gateway answered %d bytes", entry.Name, len(body))
		}
		// The CLI, input on stdin.
		r := e.enqueueIn(string(input), entry.Tool, "-")
		wantExit := 2
		if entry.Code == "ok" {
			wantExit = 0
		}
		if r.code != wantExit {
			t.Errorf("%s: enqueue exits %d, want %d: %.300s", entry.Name, r.code, wantExit, r.stdout+r.stderr)
			continue
		}
		if wantExit == 2 {
			var ce errcode.Error
			if err := json.Unmarshal([]byte(r.stdout), &ce); err != nil || string(ce.Code) != entry.Code {
				t.Errorf("%s: enqueue printed %.300s, want %s", entry.Name, r.stdout, entry.Code)
			}
			if len(r.stdout) > 8192 || strings.Count(r.stdout, "k") > 4096 {
				t.Errorf("%s: enqueue printed %d bytes", entry.Name, len(r.stdout))
			}
		}
	}
}
