package jobs

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/sandbox"
)

// FuzzEnvelope decodes arbitrary records: decoding must not panic, and what
// decodes must survive a round trip unchanged.
func FuzzEnvelope(f *testing.F) {
	f.Add([]byte(`{"id":"x","tool":"t","queue":"default","state":"succeeded","result":{"a":1},"error":null,"usage":{"wall_ms":1.5},"attempts":1,"submitted_at":"2026-01-02T03:04:05Z","started_at":null,"finished_at":null}`))
	f.Add([]byte(`{"id":"x","state":"failed","result":null,"error":{"error":"timeout","message":"m","details":{"timeout":1}}}`))
	f.Add([]byte(`{"result":[1,2,3]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Envelope
		if err := json.Unmarshal(b, &e); err != nil {
			return
		}
		out, err := json.Marshal(e)
		if err != nil {
			t.Fatalf("decoded envelope does not encode: %v", err)
		}
		var back Envelope
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decode: %v\n%s", err, out)
		}
		again, _ := json.Marshal(back)
		if string(again) != string(out) {
			t.Fatalf("round trip changed the envelope:\n%s\n%s", out, again)
		}
	})
}

// FuzzVerdict feeds arbitrary child output to the verdict: whatever a child
// writes, the worker must produce exactly one of a result or a typed error.
func FuzzVerdict(f *testing.F) {
	f.Add([]byte(`{"result":{"x":1}}`), 0)
	f.Add([]byte(`{"error":{"error":"tool_error","message":"m","details":{}}}`), 0)
	f.Add([]byte(`{"error":{"error":"made_up","message":"m"}}`), 0)
	f.Add([]byte(`{"result":1}{"result":2}`), 0)
	f.Add([]byte(`garbage`), 2)
	f.Fuzz(func(t *testing.T, stdout []byte, exit int) {
		out := &sandbox.Outcome{Status: sandbox.Exited, ExitCode: exit, Stdout: stdout,
			Usage: sandbox.Usage{MemoryLimit: 1 << 20, Timeout: time.Second}}
		res, cerr := verdict("t", out)
		if (res == nil) == (cerr == nil) {
			t.Fatalf("result %q and error %v", res, cerr)
		}
		if cerr != nil && !cerr.Code.Known() {
			t.Fatalf("unknown code %q", cerr.Code)
		}
		if res != nil && !json.Valid(res) {
			t.Fatalf("invalid result %q", res)
		}
		if res != nil && string(res) == "null" {
			t.Fatal("a null result would make a final envelope with neither result nor error")
		}
		if cerr != nil {
			var back errcode.Error
			b, err := json.Marshal(cerr)
			if err != nil || json.Unmarshal(b, &back) != nil || back.Code != cerr.Code {
				t.Fatalf("error does not round-trip: %s %v", b, err)
			}
		}
	})
}
