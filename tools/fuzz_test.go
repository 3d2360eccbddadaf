package tools

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"

	"github.com/toolq/toolq/errcode"
)

// FuzzValidate feeds arbitrary bytes to every tool's validation: it must
// never panic, and every refusal must be a typed error with a known code.
// Inputs it accepts are then run in-process: no input that passes
// validation may crash a tool (a crash would be tool_crashed).
func FuzzValidate(f *testing.F) {
	seeds := []string{
		`{}`, `[]`, `null`, `{"values": [1, 2, 3]}`, `{"values": [1, null, 3, 1e308, -1e308]}`,
		`{"values": [1, 2], "method": "classical"}`, `{"data": [[1, 2], [3, 4], [5, 7]], "n_components": 1}`,
		`{"data": [[1, null], [3, 4], [5, 6], [7, 9]], "n_components": 2, "column_names": ["a", "b"]}`,
		`{"group_a": [1, 2, 3], "group_b": [4, 5, 6]}`, `{"values": [1, 2, 3], "groups": ["a", "b", "a"]}`,
		`{"values": [0, 0, 0, 0], "alpha": 0.5}`, `{"n_components": 1e400}`, `{"values": "x"}`,
	}
	reg := Standard()
	names := reg.Names()
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	// The hostile corpus (testdata/hostile) seeds the search too.
	if raw, err := os.ReadFile("../testdata/hostile/corpus.json"); err == nil {
		var c struct {
			Entries []struct {
				Tool  string  `json:"tool"`
				Input *string `json:"input"`
			} `json:"entries"`
		}
		if json.Unmarshal(raw, &c) == nil {
			for _, e := range c.Entries {
				if e.Input != nil && len(*e.Input) < 64<<10 {
					f.Add(uint8(slices.Index(names, e.Tool)), []byte(*e.Input))
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, pick uint8, input []byte) {
		name := names[int(pick)%len(names)]
		norm, err := reg.Validate(name, input, &Limits{MaxCells: 2000})
		if err != nil {
			ce, ok := err.(*errcode.Error)
			if !ok || !ce.Code.Known() {
				t.Fatalf("untyped refusal %T %v", err, err)
			}
			if _, err := json.Marshal(ce); err != nil {
				t.Fatalf("error does not encode: %v", err)
			}
			return
		}
		out, err := reg.ExecuteSafe(context.Background(), name, norm)
		if errcode.Of(err) == errcode.ToolCrashed {
			t.Fatalf("%s crashed on accepted input %s: %v", name, norm, err)
		}
		if err == nil && !json.Valid(out) {
			t.Fatalf("%s returned invalid JSON", name)
		}
	})
}
