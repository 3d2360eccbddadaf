package multivariate

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// FuzzTools feeds arbitrary inputs to every tool of the family: Check must
// never panic and must refuse with a typed input error, and whatever Check
// accepts must run without panicking (the registry reports a panic as
// tool_crashed, which must never happen for an input that passed
// validation) and give a result that encodes, or a typed error. The seeds
// include model_params objects produced by the fit tools, so the fuzzer
// mutates real models.
func FuzzTools(f *testing.F) {
	defs := Defs()
	pcaParams, _ := json.Marshal(map[string]any{
		"loadings": [][]float64{{0.7, 0.1}, {-0.7, 0.1}, {0.1, 0.99}}, "means": []float64{1, 2, 3}, "stds": []float64{1, 0.5, 2},
		"n_components": 2, "scaling_factor_for_scores": []float64{1.2, 0.8}, "n_samples": 4, "spe_values": []float64{0.1, 0.2, 0.3, 0.1},
	})
	plsParams, _ := json.Marshal(map[string]any{
		"x_loadings": [][]float64{{0.7}, {-0.7}, {0.1}}, "x_weights": [][]float64{{0.6}, {-0.8}, {0}}, "direct_weights": [][]float64{{0.6}, {-0.8}, {0}},
		"y_loadings": [][]float64{{0.9}}, "beta_coefficients": [][]float64{{0.5}, {-0.7}, {0}},
		"x_means": []float64{1, 2, 3}, "x_stds": []float64{1, 0.5, 2}, "y_means": []float64{4}, "y_stds": []float64{2},
		"n_components": 1, "scaling_factor_for_scores": []float64{1.1}, "n_samples": 4, "spe_values": []float64{0.1, 0.2, 0.3, 0.1},
	})
	for i, s := range []string{
		`{"data": [[1, 2, 3], [2, 1, 0], [4, 4, 4], [0, 1, 5]], "n_components": 2}`,
		`{"data": [[1, null, 3], [2, 1, 0], [4, 4, null], [0, 1, 5]], "n_components": 3, "conf_level": 0.99}`,
		`{"data": [[1e308, 2], [-1e308, 1], [0, 0]], "n_components": 1}`,
		`{"x_data": [[1, 2, 3], [2, 1, 0], [4, 4, 4], [0, 1, 5]], "y_data": [1, 2, 3, 4], "n_components": 2}`,
		`{"x_data": [[1, null], [2, 1], [4, 4], [0, 1]], "y_data": [[1, null], [2, 3], [3, 3], [4, 0]], "n_components": 2}`,
		`{"data": [[1, 2], [3, 4]]}`,
		`{"model_params": ` + string(pcaParams) + `, "new_data": [[1, 2, 3], [null, 1, 1]]}`,
		`{"model_params": ` + string(plsParams) + `, "new_data": [[1, 2, 3], [null, 1, 1]], "conf_level": 0.9}`,
	} {
		for j := range defs {
			f.Add(uint8(i*len(defs)+j), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, pick uint8, input []byte) {
		def := defs[int(pick)%len(defs)]
		if err := def.Check(input); err != nil {
			if c := errcode.Of(err); c != errcode.InputInvalid && c != errcode.InputTooLarge {
				t.Fatalf("%s Check refused %s with %v", def.Name, input, err)
			}
			return
		}
		out, err := def.Run(context.Background(), input)
		if err != nil {
			if c := errcode.Of(err); c != errcode.ToolError && c != errcode.InputInvalid {
				t.Fatalf("%s Run(%s) = %v, want tool_error", def.Name, input, err)
			}
			return
		}
		if _, err := tool.Marshal(out); err != nil {
			t.Fatalf("%s result does not encode: %v", def.Name, err)
		}
	})
}
