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

// wold is the Wold, Esbensen & Geladi example: 3 rows, 4 columns.
const wold = `[[3,4,2,2],[4,3,4,3],[5,5,6,4]]`

// toolExamples holds one valid input per tool of the standard registry that
// does not carry its own (tool.Def.Example). TestEveryToolThroughTheWorker
// fails when a tool has neither, so a new tool cannot skip the end-to-end
// run. The *_predict tools take the model_params
// of a fit, which the test makes first.
var toolExamples = map[string]string{
	"robust_summary_stats":         `{"values": [108, 89.52, 95.16, 101.61, 99.19, 100, 93.55, 97.58, 93.55, 98.39, 88.71]}`,
	"detect_outliers":              `{"values": [10.1, 10.3, 10.2, 10.0, 10.4, 10.2, 10.1, 10.3, 9.9, 10.2, 10.0, 10.1, 10.3, 10.2, 100.0]}`,
	"robust_scale_sn":              `{"values": [0, 10, 20, 3, 4, 50, 6]}`,
	"median_absolute_deviation":    `{"values": [10, 11, 12, 10, 9, 10, 50], "scale": "raw"}`,
	"normality_test":               `{"values": [1.37, -0.56, 0.36, 0.63, 0.40, -0.11, 1.51, -0.09, 2.02, -0.06]}`,
	"confidence_interval":          `{"values": [10, 11, 12, 10, 9, 10], "method": "classical"}`,
	"ttest_two_samples":            `{"group_a": [100, 101, 99, 100, 101], "group_b": [200, 201, 199, 200, 201]}`,
	"ttest_paired_samples":         `{"group_a": [8.8, 6.6, 7.26, 9.32, 5.88], "group_b": [5.37, 4.83, 7.87, 3.3, 8.26]}`,
	"within_between_variance":      `{"values": [101, 102, 94, 95], "groups": [1, 1, 2, 2]}`,
	"fit_pca":                      `{"data": ` + wold + `, "n_components": 2}`,
	"fit_pls":                      `{"x_data": [[1,2],[2,1],[3,5],[4,3],[5,6]], "y_data": [3,3,8,7,11], "n_components": 1}`,
	"scale_data":                   `{"data": [[1,10],[2,20],[3,30],[4,40]]}`,
	"detect_multivariate_outliers": `{"data": [[1,2,3],[2,3,4],[3,4,6],[4,5,6],[5,7,8],[6,7,9],[7,8,10],[8,9,12]], "n_components": 1}`,
	"pca_predict":                  `{"model_params": FIT, "new_data": [[3,4,2,2]]}`,
	"pls_predict":                  `{"model_params": FIT, "new_data": [[2,3]]}`,
	"control_chart":                `{"values": [33, 30, 29, 30, 27, 32, 17], "chart_type": "shewhart"}`,
	"process_capability":           `{"values": [9.8, 10.1, 10.0, 9.9, 10.2, 10.0, 9.7, 10.3], "lower_spec": 9, "upper_spec": 11}`,
	"robust_regression":            `{"x": [1, 2, 3, 4, 5, 6], "y": [2.1, 3.9, 6.2, 7.8, 10.1, 30]}`,
	"repeated_median":              `{"x": [1, 2, 3, 4, 5], "y": [5, 10, 15, 20, 100]}`,
	"find_elbow":                   `{"x": [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14], "y": [0,1,2,3,4,5,6,7,17,27,37,47,57,67,77]}`,
	"create_factorial_design":      `{"n_factors": 3, "factor_names": ["temperature", "pressure", "time"]}`,
	"extract_batch_features":       `{"data": [{"batch": "A", "t": 0, "temp": 20}, {"batch": "A", "t": 1, "temp": 22}, {"batch": "B", "t": 0, "temp": 21}, {"batch": "B", "t": 1, "temp": 25}], "value_columns": ["temp"], "time_column": "t", "features": ["mean", "max", "area", "slope", "mad"]}`,
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
