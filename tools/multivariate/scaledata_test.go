package multivariate

import (
	"bytes"
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
)

type scaleOutput struct {
	ScaledData [][]*float64 `json:"scaled_data"`
	Means      []float64    `json:"means"`
	Stds       []float64    `json:"stds"`
}

// TestScaleDataGolden is the seed's later scale_data test and observed value
// (seed-spec §4.4 and §6.2), with the JSON text too: whole-number floats are
// written as Python writes them.
func TestScaleDataGolden(t *testing.T) {
	t.Parallel()
	var out scaleOutput
	raw, keys := runDef(t, scaleDataDef(), map[string]any{
		"data": [][]float64{{1, 10}, {2, 20}, {3, 30}, {4, 40}}, "column_names": []string{"a", "b"},
	}, &out)
	if got := sortedKeys(keys); len(got) != 3 || got[0] != "means" || got[1] != "scaled_data" || got[2] != "stds" {
		t.Errorf("keys = %v, want means, scaled_data, stds", got)
	}
	assertSlice(t, "means", out.Means, []float64{2.5, 25}, 1e-15, 0)
	assertSlice(t, "stds", out.Stds, []float64{1.2909944487358056, 12.909944487358056}, goldenRel, 0)
	want := []float64{-1.161895003862225, -0.3872983346207417, 0.3872983346207417, 1.161895003862225}
	for j := 0; j < 2; j++ {
		got := make([]float64, 4)
		for i := range got {
			got[i] = *out.ScaledData[i][j]
		}
		assertSlice(t, "scaled column", got, want, goldenRel, 0)
	}
	if !bytes.Contains(raw, []byte(`"means":[2.5,25.0]`)) {
		t.Errorf("means not written as Python floats: %s", raw)
	}
}

// TestScaleDataProperties: every scaled column has mean 0 and standard
// deviation 1 over its present cells, missing cells stay null, and a
// constant column becomes zeros with a reported SD of 1.
func TestScaleDataProperties(t *testing.T) {
	t.Parallel()
	data := make([][]any, 40)
	for i, r := range normals(3, 40, 4) {
		for j, v := range r {
			data[i] = append(data[i], 50+10*float64(j+1)*v)
		}
		data[i] = append(data[i], 7.5) // constant
	}
	data[3][1], data[17][1], data[30][2] = nil, nil, nil
	var out scaleOutput
	runDef(t, scaleDataDef(), map[string]any{"data": data}, &out)

	for j := 0; j < 5; j++ {
		var vals []float64
		for i := range data {
			v := out.ScaledData[i][j]
			if (data[i][j] == nil) != (v == nil) {
				t.Fatalf("cell [%d][%d]: input %v, output %v: missing cells must stay missing and only they", i, j, data[i][j], v)
			}
			if v != nil {
				vals = append(vals, *v)
			}
		}
		var sum, ss float64
		for _, v := range vals {
			sum += v
		}
		mean := sum / float64(len(vals))
		for _, v := range vals {
			ss += (v - mean) * (v - mean)
		}
		sd := math.Sqrt(ss / float64(len(vals)-1))
		if math.Abs(mean) > 1e-12 {
			t.Errorf("column %d: scaled mean %v, want 0", j, mean)
		}
		switch {
		case j == 4 && (sd != 0 || out.Stds[4] != 1 || out.Means[4] != 7.5):
			t.Errorf("constant column: scaled SD %v, std %v, mean %v; want 0, 1, 7.5", sd, out.Stds[4], out.Means[4])
		case j < 4 && math.Abs(sd-1) > 1e-12:
			t.Errorf("column %d: scaled SD %v, want 1", j, sd)
		}
	}
}

func TestScaleDataErrors(t *testing.T) {
	t.Parallel()
	e := runError(t, scaleDataDef(), map[string]any{"data": [][]any{{1, nil}, {2, 3}}, "column_names": []string{"x", "y"}})
	if want := `column "y" (index 1) has only one value, so its standard deviation is undefined`; e.Code != errcode.ToolError || e.Message != want {
		t.Errorf("Run = %s %q, want tool_error %q", e.Code, e.Message, want)
	}
}

func TestScaleDataCheck(t *testing.T) {
	t.Parallel()
	runCheckCases(t, scaleDataDef(), []checkCase{
		{name: "two rows", input: map[string]any{"data": [][]float64{{1}, {2}}}},
		{name: "at the caps", input: map[string]any{"data": filled(MaxMatrixRows, 1)}},
		{name: "at the column cap", input: map[string]any{"data": filled(2, MaxMatrixCols)}},
		{name: "one row", input: map[string]any{"data": [][]float64{{1, 2}}},
			wantCode: errcode.InputInvalid, wantMsg: "data has 1 row; at least 2 are needed for a standard deviation"},
		{name: "too many rows", input: map[string]any{"data": filled(MaxMatrixRows+1, 1)},
			wantCode: errcode.InputTooLarge, wantMsg: "data has 10001 rows; the cap is 10000"},
		{name: "too many columns", input: map[string]any{"data": filled(2, MaxMatrixCols+1)},
			wantCode: errcode.InputTooLarge, wantMsg: "data has 501 columns; the cap is 500"},
		{name: "ragged", input: map[string]any{"data": [][]float64{{1, 2}, {3}}},
			wantCode: errcode.InputInvalid, wantMsg: "data is ragged: row 0 has 2 values, row 1 has 1"},
		{name: "string cell", input: `{"data": [[1, "a"], [2, 3]]}`,
			wantCode: errcode.InputInvalid, wantMsg: "cannot decode input: json: cannot unmarshal string into Go struct field scaleDataInput.data of type float64"},
		{name: "names", input: map[string]any{"data": [][]float64{{1, 2}, {3, 4}}, "column_names": []string{"a"}},
			wantCode: errcode.InputInvalid, wantMsg: "column_names has 1 names but data has 2 columns"},
		{name: "no data", input: map[string]any{},
			wantCode: errcode.InputInvalid, wantMsg: "data must have at least one row"},
	})
}

func TestScaleDataSchema(t *testing.T) {
	t.Parallel()
	runSchemaCases(t, scaleDataDef(), []schemaCase{
		{"minimal", `{"data": [[1, 2], [3, 4]]}`, true},
		{"names and nulls", `{"data": [[1, null], [3, 4], [5, 6]], "column_names": ["a", "b"]}`, true},
		{"one row", `{"data": [[1, 2]]}`, false},
		{"string data", `{"data": [["a", "b"], ["c", "d"]]}`, false},
		{"flat data", `{"data": [1, 2, 3]}`, false},
		{"unknown key", `{"data": [[1], [2]], "center": false}`, false},
	})
}
