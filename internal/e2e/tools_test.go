package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/jobs"
	"github.com/toolq/toolq/tools"
)

// toolExamples holds one valid input per tool of the standard registry that
// does not carry its own (tool.Def.Example). TestEveryToolThroughTheWorker
// fails when a tool has neither, so a new tool cannot skip the end-to-end
// run. The *_predict tools take the model_params of a fit, which the test
// makes first, so their examples live here.
var toolExamples = map[string]string{
	"pca_predict": `{"model_params": FIT, "new_data": [[3,4,2,2]]}`,
	"pls_predict": `{"model_params": FIT, "new_data": [[2,3]]}`,
}

// fitFor names the fit whose model_params a predict tool takes.
var fitFor = map[string]string{"pca_predict": "fit_pca", "pls_predict": "fit_pls"}

// TestEveryToolThroughTheWorker runs every tool of the standard registry
// once through the CLI and a real worker, and checks that each refuses a
// malformed input with a typed input error before anything is enqueued.
func TestEveryToolThroughTheWorker(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.startWorker()
	results := map[string]json.RawMessage{}
	run := func(name, input string) {
		r := e.enqueue("--wait", "--timeout", "30s", name, input)
		if r.code != 0 {
			t.Errorf("%s: exit %d: %s %s", name, r.code, r.stdout, r.stderr)
			return
		}
		env := r.envelope(t)
		if env.State != jobs.Succeeded || len(env.Result) == 0 {
			t.Errorf("%s: %s", name, r.stdout)
			return
		}
		results[name] = env.Result
	}
	names := tools.Standard().Names()
	for _, name := range names {
		if ex := tools.Standard().Example(name); ex != "" {
			toolExamples[name] = ex
		}
		if _, ok := toolExamples[name]; !ok {
			t.Errorf("no end-to-end example for %s: set its tool.Def.Example", name)
		}
	}
	for _, name := range names {
		if fitFor[name] == "" {
			run(name, toolExamples[name])
		}
	}
	for _, name := range names {
		fit := fitFor[name]
		if fit == "" {
			continue
		}
		var res struct {
			ModelParams json.RawMessage `json:"model_params"`
		}
		if err := json.Unmarshal(results[fit], &res); err != nil || res.ModelParams == nil {
			t.Errorf("%s: no model_params from %s: %v", name, fit, err)
			continue
		}
		run(name, strings.Replace(toolExamples[name], "FIT", string(res.ModelParams), 1))
	}

	// Malformed inputs: refused with a typed input error, never enqueued.
	big := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(big, []byte(`{"values": [`+strings.Repeat("1,", 1_000_001)+`1]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		for _, bad := range []string{`[]`, `{"surely_not_a_parameter": 1}`, `{"values": "x", "data": {"a": 1}, "x": true}`, "@" + big} {
			r := e.enqueue(name, bad)
			var ce errcode.Error
			if r.code != 2 || json.Unmarshal([]byte(r.stdout), &ce) != nil ||
				(ce.Code != errcode.InputInvalid && ce.Code != errcode.InputTooLarge) {
				t.Errorf("%s %.40s: exit %d, %s", name, bad, r.code, r.stdout)
			}
		}
	}
}
