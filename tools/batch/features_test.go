package batch

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/internal/tooltest"
)

// run runs the tool as the registry does after validation (Check, Run,
// tool.Marshal) and returns the encoded result.
func run(t *testing.T, input any) ([]byte, error) {
	t.Helper()
	return tooltest.RunJSON(t, Defs()[0], input)
}

type output struct {
	FeatureMatrix     []map[string]any `json:"feature_matrix"`
	NBatches          int              `json:"n_batches"`
	NFeatures         int              `json:"n_features"`
	FeaturesExtracted []string         `json:"features_extracted"`
}

func mustRun(t *testing.T, input any) (output, []byte) {
	t.Helper()
	b, err := run(t, input)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	var o output
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatalf("result %s: %v", b, err)
	}
	return o, b
}

// num returns a feature value; NaN for null.
func num(t *testing.T, rec map[string]any, key string) float64 {
	t.Helper()
	v, ok := rec[key]
	if !ok {
		t.Fatalf("record has no %q: %v", key, rec)
	}
	if v == nil {
		return math.NaN()
	}
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%s = %v (%T) is not a number", key, v, v)
	}
	return f
}

func near(got, want, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if want == 0 {
		return math.Abs(got) <= rel
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// goldenData is seed-spec §6.3's batch case: two batches over t = 0…4,
// temp = 100 + 2t + 0.5·[t odd] (B1) and 98 + 3t + 0.5·[t odd] (B2),
// press = 5 + 0.1t.
func goldenData() []map[string]any {
	var rows []map[string]any
	for _, b := range []struct {
		id          string
		base, slope float64
	}{{"B1", 100, 2}, {"B2", 98, 3}} {
		for i := 0; i < 5; i++ {
			t := float64(i)
			temp := b.base + b.slope*t
			if i%2 == 1 {
				temp += 0.5
			}
			rows = append(rows, map[string]any{"batch": b.id, "time": t, "temp": temp, "press": 5 + 0.1*t})
		}
	}
	return rows
}

func TestBatchGolden(t *testing.T) {
	t.Parallel()
	feats := []string{"mean", "std", "median", "min", "max", "last", "count", "sum", "iqr"}
	o, b := mustRun(t, map[string]any{"data": goldenData(), "value_columns": []string{"temp", "press"}, "features": feats})
	if o.NBatches != 2 || o.NFeatures != 18 || !slices.Equal(o.FeaturesExtracted, feats) {
		t.Fatalf("n_batches %d, n_features %d, features_extracted %v", o.NBatches, o.NFeatures, o.FeaturesExtracted)
	}
	b1 := o.FeatureMatrix[0]
	if b1["batch"] != "B1" || b1["__phase_grouper__"] != "NoPhases" || o.FeatureMatrix[1]["batch"] != "B2" {
		t.Fatalf("records %v", o.FeatureMatrix)
	}
	for key, want := range map[string]float64{
		"temp_mean": 104.2, "temp_std": 3.174114049620774, "temp_median": 104, "temp_min": 100, "temp_max": 108,
		"temp_endpoint": 108, "temp_count": 5, "temp_sum": 521, "temp_iqr": 4,
	} {
		if got := num(t, b1, key); !near(got, want, 1e-12) {
			t.Errorf("B1 %s = %.17g, want %.17g", key, got, want)
		}
	}
	// Column order: batch, phase, then by feature, then by value column;
	// count is an integer, the rest are floats.
	first := string(b[strings.Index(string(b), "[{")+1 : strings.Index(string(b), "}")+1])
	if !strings.HasPrefix(first, `{"batch":"B1","__phase_grouper__":"NoPhases","temp_mean":104.2,"press_mean":5.2,"temp_std":`) ||
		!strings.Contains(first, `"temp_count":5,"press_count":5,"temp_sum":521.0,`) || !strings.Contains(first, `"temp_median":104.0,`) {
		t.Errorf("first record %s", first)
	}

	o, _ = mustRun(t, map[string]any{"data": goldenData(), "value_columns": []string{"temp"}, "features": []string{"area"}, "time_column": "time"})
	for _, rec := range o.FeatureMatrix {
		if got := num(t, rec, "temp_area"); got != 417 {
			t.Errorf("%v area %v, want 417", rec["batch"], got)
		}
	}
}

// handData has three batches, rows interleaved: "b" follows y = 1 + 2t
// with a gap at t = 2 and an outlier at t = 4; "a" has its rows out of time
// order; "c" has no values.
func handData() []map[string]any {
	return []map[string]any{
		{"batch": "b", "t": 0, "y": 1},
		{"batch": "a", "t": 2, "y": 5},
		{"batch": "b", "t": 1, "y": 3},
		{"batch": "c", "t": 0, "y": nil},
		{"batch": "b", "t": 2, "y": nil},
		{"batch": "a", "t": 0, "y": 1},
		{"batch": "b", "t": 3, "y": 7},
		{"batch": "b", "t": 4, "y": 100},
		{"batch": "c", "t": 1},
		{"batch": "a", "t": 1, "y": 3},
		{"batch": "b", "t": 5, "y": 11},
		{"batch": nil, "t": 6, "y": 1000}, // no batch id: left out
		{"t": 7, "y": 1000},               // likewise
	}
}

var allFeatures = []string{"mean", "median", "std", "iqr", "mad", "robust_mad", "sum", "min", "max", "last", "count", "area", "slope"}

// TestBatchHandComputed checks every feature against hand computations.
func TestBatchHandComputed(t *testing.T) {
	t.Parallel()
	o, b := mustRun(t, map[string]any{"data": handData(), "value_columns": []string{"y"}, "features": allFeatures, "time_column": "t"})
	if o.NBatches != 3 || o.NFeatures != 13 {
		t.Fatalf("n_batches %d, n_features %d", o.NBatches, o.NFeatures)
	}
	nan := math.NaN()
	// Batch b: values 1, 3, 7, 100, 11 (mean 24.4; deviations −23.4, −21.4,
	// −17.4, 75.6, −13.4; sorted 1, 3, 7, 11, 100; |y − 7| = 6, 4, 0, 93, 4).
	want := map[string]map[string]float64{
		"a": {
			"y_mean": 3, "y_median": 3, "y_std": 2, "y_iqr": 2, "y_mad": 4.0 / 3, "y_mad_robust": 2 / stats.MADNormalScale,
			"y_sum": 9, "y_min": 1, "y_max": 5, "y_endpoint": 3, "y_count": 3,
			"y_area":  (1+3)/2.0 + (3+5)/2.0, // in time order, not row order
			"y_slope": 2,
		},
		"b": {
			"y_mean": 24.4, "y_median": 7, "y_std": math.Sqrt((23.4*23.4 + 21.4*21.4 + 17.4*17.4 + 75.6*75.6 + 13.4*13.4) / 4),
			"y_iqr": 11 - 3, "y_mad": (23.4 + 21.4 + 17.4 + 75.6 + 13.4) / 5, "y_mad_robust": 4 / stats.MADNormalScale,
			"y_sum": 122, "y_min": 1, "y_max": 100, "y_endpoint": 11, "y_count": 5,
			// The gap at t = 2 is bridged: 2 + 10 + 53.5 + 55.5.
			"y_area": (1+3)/2.0*1 + (3+7)/2.0*2 + (7+100)/2.0*1 + (100+11)/2.0*1,
			// Every point but the outlier has median pairwise slope 2.
			"y_slope": 2,
		},
		"c": {
			"y_mean": nan, "y_median": nan, "y_std": nan, "y_iqr": nan, "y_mad": nan, "y_mad_robust": nan,
			"y_sum": 0, "y_min": nan, "y_max": nan, "y_endpoint": nan, "y_count": 0, "y_area": nan, "y_slope": nan,
		},
	}
	for i, id := range []string{"a", "b", "c"} {
		rec := o.FeatureMatrix[i]
		if rec["batch"] != id {
			t.Fatalf("record %d is batch %v, want %s", i, rec["batch"], id)
		}
		for key, w := range want[id] {
			if got := num(t, rec, key); !near(got, w, 1e-12) {
				t.Errorf("batch %s %s = %.17g, want %.17g", id, key, got, w)
			}
		}
	}
	if !strings.Contains(string(b), `"y_count":0,"y_area":null,"y_slope":null}`) || !strings.Contains(string(b), `"y_sum":0.0`) {
		t.Errorf("batch c written as %s", b)
	}
}

// TestBatchSlopeSmallBatches: fewer than three complete rows, or a single
// time, give a null slope.
func TestBatchSlopeSmallBatches(t *testing.T) {
	t.Parallel()
	data := []map[string]any{
		{"batch": 1, "t": 0, "y": 1}, {"batch": 1, "t": 1, "y": 2},
		{"batch": 2, "t": 0, "y": 1}, {"batch": 2, "t": 1, "y": 2}, {"batch": 2, "t": 2, "y": nil},
		{"batch": 3, "t": 5, "y": 1}, {"batch": 3, "t": 5, "y": 2}, {"batch": 3, "t": 5, "y": 3},
		{"batch": 4, "t": 0, "y": 1}, {"batch": 4, "t": 1, "y": 2}, {"batch": 4, "t": 2, "y": 4},
	}
	o, _ := mustRun(t, map[string]any{"data": data, "value_columns": []string{"y"}, "features": []string{"slope"}, "time_column": "t"})
	for i, want := range []float64{math.NaN(), math.NaN(), math.NaN(), 1.5} {
		if got := num(t, o.FeatureMatrix[i], "y_slope"); !near(got, want, 1e-12) {
			t.Errorf("batch %v slope %v, want %v", o.FeatureMatrix[i]["batch"], got, want)
		}
	}
}

// TestBatchIds: numeric ids sort numerically and integers stay integers;
// without a batch column every row is one batch.
func TestBatchIds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		ids   []any
		order string
	}{
		{"integers", []any{10, 9, 10, -1}, `-1,9,10`},
		{"floats", []any{2.5, 10, 2.5, -0.0, 0}, `0.0,2.5,10.0`},
		{"strings", []any{"b10", "b9", "B1", "b10"}, `"B1","b10","b9"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var data []map[string]any
			for i, id := range tc.ids {
				data = append(data, map[string]any{"batch": id, "y": i})
			}
			_, b := mustRun(t, map[string]any{"data": data, "value_columns": []string{"y"}, "features": []string{"count"}})
			var got []string
			var o struct {
				FeatureMatrix []map[string]json.RawMessage `json:"feature_matrix"`
			}
			if err := json.Unmarshal(b, &o); err != nil {
				t.Fatal(err)
			}
			for _, rec := range o.FeatureMatrix {
				got = append(got, string(rec["batch"]))
			}
			if strings.Join(got, ",") != tc.order {
				t.Errorf("batches %s, want %s", strings.Join(got, ","), tc.order)
			}
		})
	}

	o, b := mustRun(t, `{"data": [{"y": 1}, {"y": 3}], "value_columns": ["y"]}`)
	if o.NBatches != 1 || !strings.Contains(string(b), `{"__batch_grouper__":1,"__phase_grouper__":"NoPhases","y_mean":2.0,"y_std":1.4142135623730951}`) {
		t.Errorf("no batch column: %s", b)
	}
}

// TestBatchRowOrder: permuting the rows changes no feature but last, which
// is defined by row order.
func TestBatchRowOrder(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	var data []map[string]any
	for b := 0; b < 4; b++ {
		for i := 0; i < 30; i++ {
			data = append(data, map[string]any{"batch": fmt.Sprintf("B%d", b), "t": float64(i) + r.Float64(), "y": 10*float64(b) + r.NormFloat64(), "z": r.ExpFloat64()})
		}
	}
	shuffled := slices.Clone(data)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	in := func(d []map[string]any) map[string]any {
		return map[string]any{"data": d, "value_columns": []string{"y", "z"}, "features": allFeatures, "time_column": "t"}
	}
	a, _ := mustRun(t, in(data))
	b, _ := mustRun(t, in(shuffled))
	for i := range a.FeatureMatrix {
		for k, v := range a.FeatureMatrix[i] {
			if strings.HasSuffix(k, "_endpoint") {
				continue
			}
			w := b.FeatureMatrix[i][k]
			if f, ok := v.(float64); ok {
				if !near(w.(float64), f, 1e-12) {
					t.Errorf("batch %d %s: %v, shuffled %v", i, k, v, w)
				}
			} else if v != w {
				t.Errorf("batch %d %s: %v, shuffled %v", i, k, v, w)
			}
		}
	}
}

func TestBatchErrors(t *testing.T) {
	t.Parallel()
	big := func(batches, rows int) map[string]any {
		var data []map[string]any
		for b := 0; b < batches; b++ {
			for i := 0; i < rows; i++ {
				data = append(data, map[string]any{"batch": b, "t": i, "y": i})
			}
		}
		return map[string]any{"data": data, "value_columns": []string{"y"}, "features": []string{"slope"}, "time_column": "t"}
	}
	for _, tc := range []struct {
		name  string
		input any
		code  errcode.Code
	}{
		{"area without time_column", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": 2}], "value_columns": ["y"], "features": ["area"]}`, errcode.InputInvalid},
		{"slope without time_column", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": 2}], "value_columns": ["y"], "features": ["mean", "slope"]}`, errcode.InputInvalid},
		{"time column in no row", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": 2}], "value_columns": ["y"], "features": ["area"], "time_column": "t"}`, errcode.InputInvalid},
		{"value column in no row", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": 2}], "value_columns": ["x"]}`, errcode.InputInvalid},
		{"string value", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": "2"}], "value_columns": ["y"]}`, errcode.InputInvalid},
		{"boolean value", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": true}], "value_columns": ["y"]}`, errcode.InputInvalid},
		{"string time", `{"data": [{"batch": 1, "t": "0", "y": 1}, {"batch": 1, "t": 1, "y": 2}], "value_columns": ["y"], "features": ["area"], "time_column": "t"}`, errcode.InputInvalid},
		{"mixed batch ids", `{"data": [{"batch": 1, "y": 1}, {"batch": "1", "y": 2}], "value_columns": ["y"]}`, errcode.InputInvalid},
		{"boolean batch id", `{"data": [{"batch": true, "y": 1}, {"batch": false, "y": 2}], "value_columns": ["y"]}`, errcode.InputInvalid},
		{"batch column as value column", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": 2}], "value_columns": ["y", "batch"]}`, errcode.InputInvalid},
		{"feature name clashes with the batch column", `{"data": [{"y_mean": 1, "y": 1}, {"y_mean": 2, "y": 2}], "value_columns": ["y"], "batch_column": "y_mean"}`, errcode.InputInvalid},
		{"duplicate feature", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": 2}], "value_columns": ["y"], "features": ["mean", "mean"]}`, errcode.InputInvalid},
		{"duplicate column", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": 2}], "value_columns": ["y", "y"]}`, errcode.InputInvalid},
		{"unknown feature", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": 2}], "value_columns": ["y"], "features": ["kurtosis"]}`, errcode.InputInvalid},
		{"rows not objects", `{"data": [1, 2], "value_columns": ["y"]}`, errcode.InputInvalid},
		{"unknown key", `{"data": [{"batch": 1, "y": 1}, {"batch": 1, "y": 2}], "value_columns": ["y"], "phase_column": "p"}`, errcode.InputInvalid},
		{"no batch ids", `{"data": [{"batch": null, "y": 1}, {"batch": null, "y": 2}], "value_columns": ["y"]}`, errcode.InputInvalid},
		{"slope: batch over 5,000 rows", big(1, stats.MaxRegressionPoints+1), errcode.InputTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := run(t, tc.input)
			if errcode.Of(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
}

// TestSlopeWorkCaps checks the caps at their edges without running the
// slopes.
func TestSlopeWorkCaps(t *testing.T) {
	t.Parallel()
	groups := func(sizes ...int) []batchGroup {
		out := make([]batchGroup, len(sizes))
		for i, n := range sizes {
			out[i] = batchGroup{id: int64(i), rows: make([]int, n)}
		}
		return out
	}
	const m = stats.MaxRegressionPoints
	for _, tc := range []struct {
		name  string
		sizes []int
		tags  int
		ok    bool
	}{
		{"one batch at the row cap", []int{m}, 1, true},
		{"one batch over the row cap", []int{m + 1}, 1, false},
		{"four batches at the row cap", []int{m, m, m, m}, 1, true},
		{"five batches at the row cap", []int{m, m, m, m, m}, 1, false},
		{"two batches at the row cap, two columns", []int{m, m}, 2, true},
		{"two batches at the row cap, three columns", []int{m, m}, 3, false},
		{"many small batches", slices.Repeat([]int{100}, 10_000), 1, true},
		{"many small batches, many columns", slices.Repeat([]int{100}, 10_000), 2, false},
	} {
		p := &prepared{batches: groups(tc.sizes...), tags: make([]string, tc.tags)}
		err := p.checkSlopeWork()
		if (err == nil) != tc.ok || (err != nil && errcode.Of(err) != errcode.InputTooLarge) {
			t.Errorf("%s: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
