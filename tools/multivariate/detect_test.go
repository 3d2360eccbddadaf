package multivariate

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/toolq/toolq/errcode"
)

type detectOutput struct {
	OutlierIndices       []int             `json:"outlier_indices"`
	OutlierDetails       []json.RawMessage `json:"outlier_details"`
	T2Limit              *float64          `json:"t2_limit"`
	SPELimit             *float64          `json:"spe_limit"`
	NComponents          int               `json:"n_components"`
	NComponentsRequested int               `json:"n_components_requested"`
}

// TestDetectGolden is detect_multivariate_outliers(X, 2) on the golden 11×6
// case (seed-spec §6.2), which the seed reported as identical to fit_pca's
// screen: the limits match the seed; the outliers are this port's classical
// ESD screen (observation 4 only; see TestFitPCAToolGolden for why the
// seed's robust test also listed 2 and 3).
func TestDetectGolden(t *testing.T) {
	t.Parallel()
	var out detectOutput
	_, keys := runDef(t, detectDef(), map[string]any{"data": goldenX, "n_components": 2}, &out)
	want := []string{"n_components", "outlier_details", "outlier_indices", "spe_limit", "t2_limit"}
	if got := sortedKeys(keys); !reflect.DeepEqual(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	if out.T2Limit == nil || !near(*out.T2Limit, goldenT2Limit, goldenRel, 0) || out.SPELimit == nil || !near(*out.SPELimit, goldenSPELimit, goldenRel, 0) {
		t.Errorf("limits = %v, %v, want %v, %v", out.T2Limit, out.SPELimit, goldenT2Limit, goldenSPELimit)
	}
	if !reflect.DeepEqual(out.OutlierIndices, []int{4}) || out.NComponents != 2 {
		t.Errorf("outlier_indices = %v, n_components = %d; want [4], 2", out.OutlierIndices, out.NComponents)
	}
}

// TestDetectMatchesFitPCA: the screen is fit_pca's, for complete and
// missing data and any confidence level.
func TestDetectMatchesFitPCA(t *testing.T) {
	t.Parallel()
	withGap := make([][]any, 51)
	for i, r := range append(normals(42, 50, 4), []float64{100, 100, 100, 100}) {
		for _, v := range r {
			withGap[i] = append(withGap[i], v)
		}
	}
	withGap[7][2] = nil
	for _, tc := range []struct {
		name  string
		input map[string]any
	}{
		{"golden", map[string]any{"data": goldenX, "n_components": 2}},
		{"golden at 99%", map[string]any{"data": goldenX, "n_components": 3, "conf_level": 0.99}},
		{"missing cell and a far row", map[string]any{"data": withGap, "n_components": 2}},
		{"clamped", map[string]any{"data": woldX, "n_components": 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var d detectOutput
			var p struct {
				detectOutput
				ModelParams json.RawMessage `json:"model_params"`
			}
			runDef(t, detectDef(), tc.input, &d)
			runDef(t, fitPCADef(), tc.input, &p)
			if !reflect.DeepEqual(d, p.detectOutput) {
				t.Errorf("detect_multivariate_outliers = %+v, fit_pca = %+v", d, p.detectOutput)
			}
		})
	}
}

// TestDetectSeedTests are the seed's later detect_multivariate_outliers
// tests (seed-spec §4.4) with gonum draws in place of numpy's.
func TestDetectSeedTests(t *testing.T) {
	t.Parallel()
	t.Run("50x4 normals plus an outlier row", func(t *testing.T) {
		t.Parallel()
		var out detectOutput
		_, keys := runDef(t, detectDef(), map[string]any{"data": append(normals(42, 50, 4), []float64{100, 100, 100, 100}), "n_components": 2}, &out)
		for _, k := range []string{"outlier_indices", "outlier_details", "t2_limit", "spe_limit"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("no %s", k)
			}
		}
		if len(out.OutlierIndices) == 0 || out.OutlierIndices[0] != 50 {
			t.Errorf("outlier_indices = %v, want row 50 first", out.OutlierIndices)
		}
	})
	t.Run("99% T² limit at least the 95% one", func(t *testing.T) {
		t.Parallel()
		data := normals(0, 40, 3)
		var at95, at99 detectOutput
		runDef(t, detectDef(), map[string]any{"data": data, "n_components": 2}, &at95)
		runDef(t, detectDef(), map[string]any{"data": data, "n_components": 2, "conf_level": 0.99}, &at99)
		if !(*at99.T2Limit >= *at95.T2Limit) {
			t.Errorf("99%% limit %v below the 95%% limit %v", *at99.T2Limit, *at95.T2Limit)
		}
		// Fewer observations can pass a stricter screen's limits.
		if len(at99.OutlierIndices) > len(at95.OutlierIndices) {
			t.Errorf("99%% screen flags %v, more than the 95%% screen's %v", at99.OutlierIndices, at95.OutlierIndices)
		}
	})
	t.Run("string data is refused", func(t *testing.T) {
		t.Parallel()
		err := detectDef().Check([]byte(`{"data": [["a", "b"], ["c", "d"], ["e", "f"]], "n_components": 1}`))
		if errcode.Of(err) != errcode.InputInvalid {
			t.Errorf("Check = %v, want input_invalid", err)
		}
	})
}

func TestDetectClamped(t *testing.T) {
	t.Parallel()
	var out detectOutput
	runDef(t, detectDef(), map[string]any{"data": woldX, "n_components": 7}, &out)
	if out.NComponents != 3 || out.NComponentsRequested != 7 || out.T2Limit != nil {
		t.Errorf("n_components %d, requested %d, t2_limit %v; want 3, 7, null", out.NComponents, out.NComponentsRequested, out.T2Limit)
	}
}

func TestDetectCheck(t *testing.T) {
	t.Parallel()
	runCheckCases(t, detectDef(), []checkCase{
		{name: "valid", input: map[string]any{"data": filled(5, 3), "n_components": 2, "conf_level": 0.9}},
		{name: "at the caps", input: map[string]any{"data": filled(MaxMatrixRows, 1), "n_components": 1}},
		{name: "too many rows", input: map[string]any{"data": filled(MaxMatrixRows+1, 1), "n_components": 1},
			wantCode: errcode.InputTooLarge, wantMsg: "data has 10001 rows; the cap is 10000"},
		{name: "too many columns", input: map[string]any{"data": filled(3, MaxMatrixCols+1), "n_components": 1},
			wantCode: errcode.InputTooLarge, wantMsg: "data has 501 columns; the cap is 500"},
		{name: "ragged", input: map[string]any{"data": [][]float64{{1, 2}, {3}, {4, 5}}, "n_components": 1},
			wantCode: errcode.InputInvalid, wantMsg: "data is ragged: row 0 has 2 values, row 1 has 1"},
		{name: "conf_level", input: map[string]any{"data": filled(5, 3), "n_components": 1, "conf_level": 0.5},
			wantCode: errcode.InputInvalid, wantMsg: "conf_level must lie between 0.8 and 0.999, not 0.5"},
		{name: "n_components", input: map[string]any{"data": filled(5, 3), "n_components": -1},
			wantCode: errcode.InputInvalid, wantMsg: "n_components must be a positive integer, not -1"},
		{name: "column names are not an input", input: map[string]any{"data": filled(5, 3), "n_components": 1, "column_names": []string{"a", "b", "c"}},
			wantCode: errcode.InputInvalid, wantMsg: `cannot decode input: json: unknown field "column_names"`},
	})
}

func TestDetectSchema(t *testing.T) {
	t.Parallel()
	runSchemaCases(t, detectDef(), []schemaCase{
		{"minimal", `{"data": [[1,2],[3,4],[5,7]], "n_components": 1}`, true},
		{"conf_level and nulls", `{"data": [[1,null],[3,4],[5,7]], "n_components": 1, "conf_level": 0.99}`, true},
		{"two rows", `{"data": [[1,2],[3,4]], "n_components": 1}`, false},
		{"no n_components", `{"data": [[1,2],[3,4],[5,7]]}`, false},
		{"conf_level too high", `{"data": [[1,2],[3,4],[5,7]], "n_components": 1, "conf_level": 0.9999}`, false},
		{"string cells", `{"data": [["a","b"],["c","d"],["e","f"]], "n_components": 1}`, false},
		{"unknown key", `{"data": [[1,2],[3,4],[5,7]], "n_components": 1, "column_names": ["a","b"]}`, false},
	})
}
