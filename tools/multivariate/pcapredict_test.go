package multivariate

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

type pcaPredictOutput struct {
	Scores       [][]*float64 `json:"scores"`
	HotellingsT2 []*float64   `json:"hotellings_t2"`
	SPE          []*float64   `json:"spe"`
	IsOutlier    []bool       `json:"is_outlier"`
	T2Limit      *float64     `json:"t2_limit"`
	SPELimit     *float64     `json:"spe_limit"`
}

// modelParams runs a fit tool and returns its model_params as a generic
// JSON object, as a caller would pass it back.
func modelParams(t *testing.T, def func() tool.Def, input map[string]any) map[string]any {
	t.Helper()
	var out struct {
		ModelParams map[string]any `json:"model_params"`
	}
	runDef(t, def(), input, &out)
	return out.ModelParams
}

// floatsOf dereferences a JSON array that must hold no nulls.
func floatsOf(t *testing.T, name string, v []*float64) []float64 {
	t.Helper()
	out := make([]float64, len(v))
	for i, p := range v {
		if p == nil {
			t.Fatalf("%s[%d] is null", name, i)
		}
		out[i] = *p
	}
	return out
}

// TestPCAPredictGolden is the seed's observed pca_predict on the first three
// rows of the golden 11×6 data with fit_pca's 2-component model (seed-spec
// §6.2).
func TestPCAPredictGolden(t *testing.T) {
	t.Parallel()
	params := modelParams(t, fitPCADef, map[string]any{"data": goldenX, "n_components": 2, "column_names": []string{"A", "B", "C", "D", "E", "F"}})
	var out pcaPredictOutput
	_, keys := runDef(t, pcaPredictDef(), map[string]any{"model_params": params, "new_data": goldenX[:3]}, &out)
	want := []string{"hotellings_t2", "is_outlier", "scores", "spe", "spe_limit", "t2_limit"}
	if got := sortedKeys(keys); !reflect.DeepEqual(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	for i := range goldenScores {
		assertSlice(t, "scores row", floatsOf(t, "scores", out.Scores[i]), goldenScores[i], goldenRel, 0)
	}
	assertSlice(t, "hotellings_t2", floatsOf(t, "hotellings_t2", out.HotellingsT2), []float64{2.227917196979, 0.3511638484115463, 0.07118958402297935}, goldenRel, 0)
	assertSlice(t, "spe", floatsOf(t, "spe", out.SPE), []float64{0.9995808675158451, 1.1478221226309204, 1.0416502689537974}, goldenRel, 0)
	if !reflect.DeepEqual(out.IsOutlier, []bool{false, false, false}) {
		t.Errorf("is_outlier = %v, want all false", out.IsOutlier)
	}
	if out.T2Limit == nil || !near(*out.T2Limit, goldenT2Limit, goldenRel, 0) || out.SPELimit == nil || !near(*out.SPELimit, goldenSPELimit, goldenRel, 0) {
		t.Errorf("limits = %v, %v, want %v, %v", out.T2Limit, out.SPELimit, goldenT2Limit, goldenSPELimit)
	}
}

// TestPCAPredictWold scores the Wold, Esbensen and Geladi (1987) training
// rows (seed-spec §6.2): with 2 components and 3 rows the T² limit is 1064,
// and the rows get back their training T², which sum to (N−1)·A = 4.
func TestPCAPredictWold(t *testing.T) {
	t.Parallel()
	params := modelParams(t, fitPCADef, map[string]any{"data": woldX, "n_components": 2})
	var out pcaPredictOutput
	runDef(t, pcaPredictDef(), map[string]any{"model_params": params, "new_data": woldX}, &out)
	if out.T2Limit == nil || !near(*out.T2Limit, 1064, goldenRel, 0) {
		t.Errorf("t2_limit = %v, want 1064", out.T2Limit)
	}
	var sum float64
	for _, v := range floatsOf(t, "T²", out.HotellingsT2) {
		sum += v
	}
	if !near(sum, 4, 1e-12, 0) {
		t.Errorf("sum of T² = %v, want 4", sum)
	}
	// Two components of four variables of rank 2 leave nothing: SPE is 0.
	assertSlice(t, "spe", floatsOf(t, "spe", out.SPE), []float64{0, 0, 0}, 0, 1e-12)
}

// TestPCAPredictReproducesFit: scoring the training rows gives back the
// fit's scores, T² and SPE, for an SVD fit and for a NIPALS fit with
// missing cells (whose rows with missing cells are scored by the same
// one-component-at-a-time regression as in the fit).
func TestPCAPredictReproducesFit(t *testing.T) {
	t.Parallel()
	gap := make([][]any, len(goldenX))
	gapRows := make([][]float64, len(goldenX))
	for i, r := range goldenX {
		for _, v := range r {
			gap[i] = append(gap[i], v)
		}
		gapRows[i] = append([]float64(nil), r...)
	}
	gap[1][2], gap[7][4], gap[7][0] = nil, nil, nil
	gapRows[1][2], gapRows[7][4], gapRows[7][0] = math.NaN(), math.NaN(), math.NaN()
	for _, tc := range []struct {
		name string
		data any
		rows [][]float64
		a    int
	}{
		{"svd, 2 components", goldenX, goldenX, 2},
		{"svd, 5 components", goldenX, goldenX, 5},
		{"nipals with missing cells", gap, gapRows, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, _ := fit(t, tc.rows, tc.a)
			params := modelParams(t, fitPCADef, map[string]any{"data": tc.data, "n_components": tc.a})
			var out pcaPredictOutput
			runDef(t, pcaPredictDef(), map[string]any{"model_params": params, "new_data": tc.data}, &out)
			for i := range tc.rows {
				assertSlice(t, "scores", floatsOf(t, "scores", out.Scores[i]), m.scores.RawRowView(i), 1e-6, 1e-9)
			}
			assertSlice(t, "hotellings_t2", floatsOf(t, "T²", out.HotellingsT2), m.t2, 1e-6, 1e-9)
			assertSlice(t, "spe", floatsOf(t, "spe", out.SPE), m.spe, 1e-6, 1e-9)
		})
	}
}

// TestPCAPredictSeedTest is the seed's test (seed-spec §4.3): fit on 40×3,
// predict 5 rows, get 5 rows of scores; and a row far from the training
// data is an outlier.
func TestPCAPredictSeedTest(t *testing.T) {
	t.Parallel()
	train := normals(42, 40, 3)
	params := modelParams(t, fitPCADef, map[string]any{"data": train, "n_components": 2})
	newRows := append(normals(99, 4, 3), []float64{40, -40, 40})
	var out pcaPredictOutput
	runDef(t, pcaPredictDef(), map[string]any{"model_params": params, "new_data": newRows}, &out)
	if len(out.Scores) != 5 || len(out.Scores[0]) != 2 || len(out.HotellingsT2) != 5 || len(out.SPE) != 5 || len(out.IsOutlier) != 5 {
		t.Fatalf("got %d score rows of %d, %d T², %d SPE, %d flags; want 5 of 2 and 5 each", len(out.Scores), len(out.Scores[0]), len(out.HotellingsT2), len(out.SPE), len(out.IsOutlier))
	}
	if !out.IsOutlier[4] {
		t.Errorf("row [40, -40, 40] is not an outlier: T² %v, SPE %v", *out.HotellingsT2[4], *out.SPE[4])
	}
	// The flag is the comparison with the limits, nothing else.
	for i, flagged := range out.IsOutlier {
		if want := *out.HotellingsT2[i] > *out.T2Limit || *out.SPE[i] > *out.SPELimit; flagged != want {
			t.Errorf("is_outlier[%d] = %v, want %v", i, flagged, want)
		}
	}
}

// TestPCAPredictMissingCells: a row with a missing cell is scored over its
// present cells (it used to be null), and conf_level moves the limits.
func TestPCAPredictMissingCells(t *testing.T) {
	t.Parallel()
	params := modelParams(t, fitPCADef, map[string]any{"data": goldenX, "n_components": 2})
	row := []any{41.1187, nil, 21.1523, 0.2446, -0.0044, -0.131} // row 0 without column 1
	var out pcaPredictOutput
	raw, _ := runDef(t, pcaPredictDef(), map[string]any{"model_params": params, "new_data": [][]any{row}, "conf_level": 0.99}, &out)
	if strings.Contains(string(raw), "null") {
		t.Fatalf("output has a null: %s", raw)
	}
	// The scores regress the present scaled cells on each loading, one
	// component after the other.
	loadings := params["loadings"].([]any)
	means, stds := params["means"].([]any), params["stds"].([]any)
	x := make([]float64, 6)
	for j := range x {
		if row[j] == nil {
			x[j] = math.NaN()
			continue
		}
		x[j] = (row[j].(float64) - means[j].(float64)) / stds[j].(float64)
	}
	var resid float64
	for c := 0; c < 2; c++ {
		var num, den float64
		for j := range x {
			if !math.IsNaN(x[j]) {
				p := loadings[j].([]any)[c].(float64)
				num += p * x[j]
				den += p * p
			}
		}
		tc := num / den
		if got := *out.Scores[0][c]; !near(got, tc, 1e-12, 1e-12) {
			t.Errorf("score %d = %v, want %v", c, got, tc)
		}
		for j := range x {
			x[j] -= tc * loadings[j].([]any)[c].(float64)
		}
	}
	for _, e := range x {
		if !math.IsNaN(e) {
			resid += e * e
		}
	}
	if got := *out.SPE[0]; !near(got, math.Sqrt(resid), 1e-12, 0) {
		t.Errorf("spe = %v, want %v over the present cells", got, math.Sqrt(resid))
	}
	if want := t2Limit(0.99, 2, 11); *out.T2Limit != want || !(*out.SPELimit > goldenSPELimit) {
		t.Errorf("limits at 0.99 = %v, %v; want %v and above %v", *out.T2Limit, *out.SPELimit, want, goldenSPELimit)
	}
}

// TestPCAPredictExtremeParams: a model_params that passes the checks but
// holds extreme numbers gives nulls, never a crash.
func TestPCAPredictExtremeParams(t *testing.T) {
	t.Parallel()
	params := map[string]any{
		"loadings": [][]float64{{1e308}, {-1e308}}, "means": []float64{-1e308, 1e308}, "stds": []float64{1e-308, 1e-308},
		"n_components": 1, "scaling_factor_for_scores": []float64{0}, "n_samples": 3, "spe_values": []float64{1e200, 0, 1e300},
	}
	var out pcaPredictOutput
	runDef(t, pcaPredictDef(), map[string]any{"model_params": params, "new_data": [][]any{{1e308, nil}, {0, 0}}}, &out)
	if out.SPELimit != nil {
		t.Errorf("spe_limit = %v, want null for overflowing SPE values", *out.SPELimit)
	}
}

// paramsWith returns a copy of a model_params object with field set
// to v (or removed when v is nil).
func paramsWith(base map[string]any, field string, v any) map[string]any {
	out := make(map[string]any, len(base))
	for k, x := range base {
		out[k] = x
	}
	if v == nil {
		delete(out, field)
	} else {
		out[field] = v
	}
	return out
}

func TestPCAPredictCheck(t *testing.T) {
	t.Parallel()
	base := modelParams(t, fitPCADef, map[string]any{"data": goldenX, "n_components": 2})
	row := [][]float64{goldenX[0]}
	in := func(field string, v any) map[string]any {
		return map[string]any{"model_params": paramsWith(base, field, v), "new_data": row}
	}
	big := make([][]float64, MaxMatrixCols+1)
	for i := range big {
		big[i] = []float64{1}
	}
	runCheckCases(t, pcaPredictDef(), []checkCase{
		{name: "valid", input: in("column_names", []string{"a", "b", "c", "d", "e", "f"})},
		{name: "missing cells", input: `{"model_params": ` + mustJSON(t, base) + `, "new_data": [[1, null, 3, 4, 5, 6]]}`},
		// Caps.
		{name: "n_components over the cap", input: in("n_components", 501),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['n_components']=501 exceeds the cap of 500."},
		{name: "n_samples over the cap", input: in("n_samples", 10001),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['n_samples']=10001 exceeds the cap of 10000."},
		{name: "loadings over the cap", input: in("loadings", big),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['loadings'] has 501 rows, which exceeds the cap of 500."},
		{name: "wide loadings", input: in("loadings", [][]float64{make([]float64, 501)}),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['loadings'] has 501 columns, which exceeds the cap of 500."},
		{name: "spe_values over the cap", input: in("spe_values", make([]float64, 10001)),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['spe_values'] has 10001 values, which exceeds the cap of 10000."},
		{name: "means over the cap", input: in("means", make([]float64, 501)),
			wantCode: errcode.InputTooLarge, wantMsg: "model_params['means'] has 501 values, which exceeds the cap of 500."},
		{name: "new_data over the cap", input: map[string]any{"model_params": base, "new_data": filled(MaxMatrixRows+1, 6)},
			wantCode: errcode.InputTooLarge, wantMsg: "new_data has 10001 rows; the cap is 10000"},
		// Missing keys.
		{name: "no loadings", input: in("loadings", nil),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['loadings'] is missing or has no rows"},
		{name: "no means", input: in("means", nil),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['means'] has 0 values but should have 6, one per variable"},
		{name: "no n_components", input: in("n_components", nil),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['n_components'] must be a positive integer, not 0"},
		{name: "no n_samples", input: in("n_samples", nil),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['n_samples'] must be an integer of at least 3, not 0"},
		{name: "no spe_values", input: in("spe_values", nil),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['spe_values'] has 0 values but should have 11, one per training row (model_params['n_samples'])"},
		{name: "no model_params", input: map[string]any{"new_data": row},
			wantCode: errcode.InputInvalid, wantMsg: "model_params['loadings'] is missing or has no rows"},
		// Inconsistent shapes.
		{name: "the seed's echoed request", input: in("n_components", 3),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['loadings'] row 0 has 2 values but should have 3, one per component (model_params['n_components'])"},
		{name: "more components than variables", input: in("n_components", 7),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['n_components'] is 7, but the model has only 6 variables"},
		{name: "more components than rows", input: map[string]any{"model_params": map[string]any{
			"loadings": [][]float64{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}, "means": []float64{0, 0, 0, 0}, "stds": []float64{1, 1, 1, 1},
			"n_components": 4, "scaling_factor_for_scores": []float64{1, 1, 1, 1}, "n_samples": 3, "spe_values": []float64{0, 0, 0}}, "new_data": [][]float64{{1, 2, 3, 4}}},
			wantCode: errcode.InputInvalid, wantMsg: "model_params['n_components'] is 4, more than model_params['n_samples']=3"},
		{name: "ragged loadings", input: in("loadings", [][]float64{{1, 2}, {1}, {1, 2}, {1, 2}, {1, 2}, {1, 2}}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['loadings'] row 1 has 1 values but should have 2, one per component (model_params['n_components'])"},
		{name: "null loading", input: in("loadings", [][]any{{1, 0}, {0, 1}, {0, nil}, {0, 0}, {0, 0}, {0, 0}}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['loadings'] has a null at [2][1]"},
		{name: "zero std", input: in("stds", []float64{1, 1, 0, 1, 1, 1}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['stds'] must hold positive standard deviations, but [2] is 0"},
		{name: "null std", input: in("stds", []any{1, 1, nil, 1, 1, 1}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['stds'] has a null at [2]"},
		{name: "negative scaling factor", input: in("scaling_factor_for_scores", []float64{1, -1}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['scaling_factor_for_scores'] must not hold negative values, but [1] is -1"},
		{name: "short scaling", input: in("scaling_factor_for_scores", []float64{1}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['scaling_factor_for_scores'] has 1 values but should have 2, one per component"},
		{name: "spe_values disagree with n_samples", input: in("n_samples", 12),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['spe_values'] has 11 values but should have 12, one per training row (model_params['n_samples'])"},
		{name: "fractional n_samples", input: in("n_samples", 10.5),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['n_samples'] must be an integer of at least 3, not 10.5"},
		{name: "column names", input: in("column_names", []string{"a"}),
			wantCode: errcode.InputInvalid, wantMsg: "model_params['column_names'] has 1 names but the model has 6 variables"},
		{name: "unknown model key", input: in("x_loadings", [][]float64{{1}}),
			wantCode: errcode.InputInvalid, wantMsg: `cannot decode input: json: unknown field "x_loadings"`},
		{name: "model_params a list", input: `{"model_params": [1, 2], "new_data": [[1]]}`,
			wantCode: errcode.InputInvalid, wantMsg: "cannot decode input: json: cannot unmarshal array into Go struct field pcaPredictInput.model_params of type multivariate.pcaParams"},
		{name: "n_components a string", input: in("n_components", "2"),
			wantCode: errcode.InputInvalid, wantMsg: "cannot decode input: json: cannot unmarshal string into Go struct field pcaParams.model_params.n_components of type float64"},
		// The new rows.
		{name: "too few columns", input: map[string]any{"model_params": base, "new_data": [][]float64{{1, 2, 3}}},
			wantCode: errcode.InputInvalid, wantMsg: "new_data has 3 columns but the model has 6 variables"},
		{name: "ragged new_data", input: map[string]any{"model_params": base, "new_data": [][]float64{goldenX[0], {1}}},
			wantCode: errcode.InputInvalid, wantMsg: "new_data is ragged: row 0 has 6 values, row 1 has 1"},
		{name: "an empty row", input: `{"model_params": ` + mustJSON(t, base) + `, "new_data": [[1, 2, 3, 4, 5, 6], [null, null, null, null, null, null]]}`,
			wantCode: errcode.InputInvalid, wantMsg: "new_data row 1 has no values: every cell is null"},
		{name: "no rows", input: map[string]any{"model_params": base, "new_data": [][]float64{}},
			wantCode: errcode.InputInvalid, wantMsg: "new_data must have at least one row"},
		{name: "conf_level", input: map[string]any{"model_params": base, "new_data": row, "conf_level": 1},
			wantCode: errcode.InputInvalid, wantMsg: "conf_level must lie between 0.8 and 0.999, not 1"},
	})
}

// mustJSON encodes v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPCAPredictSchema(t *testing.T) {
	t.Parallel()
	params := `{"loadings": [[1], [0]], "means": [0, 0], "stds": [1, 1], "n_components": 1, "scaling_factor_for_scores": [1], "n_samples": 3, "spe_values": [0, 1, 2]}`
	runSchemaCases(t, pcaPredictDef(), []schemaCase{
		{"minimal", `{"model_params": ` + params + `, "new_data": [[1, 2]]}`, true},
		{"conf_level and nulls", `{"model_params": ` + params + `, "new_data": [[1, null]], "conf_level": 0.99}`, true},
		{"no new_data", `{"model_params": ` + params + `}`, false},
		{"empty new_data", `{"model_params": ` + params + `, "new_data": []}`, false},
		{"model_params without loadings", `{"model_params": {"means": [0]}, "new_data": [[1]]}`, false},
		{"unknown model_params key", `{"model_params": {"loadings": [[1]], "means": [0], "stds": [1], "n_components": 1, "scaling_factor_for_scores": [1], "n_samples": 3, "spe_values": [0, 1, 2], "x_means": [0]}, "new_data": [[1]]}`, false},
		{"null in loadings", `{"model_params": {"loadings": [[null]], "means": [0], "stds": [1], "n_components": 1, "scaling_factor_for_scores": [1], "n_samples": 3, "spe_values": [0, 1, 2]}, "new_data": [[1]]}`, false},
		{"model_params a string", `{"model_params": "pca", "new_data": [[1]]}`, false},
		{"unknown key", `{"model_params": ` + params + `, "new_data": [[1, 2]], "scale": true}`, false},
	})
}
