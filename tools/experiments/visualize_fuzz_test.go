package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// vizFuzzBytes hands out fuzz bytes, zero once they run out.
type vizFuzzBytes []byte

func (b *vizFuzzBytes) next() int {
	if len(*b) == 0 {
		return 0
	}
	v := int((*b)[0])
	*b = (*b)[1:]
	return v
}

var vizFuzzValues = []any{-1.0, 0.0, 1.0, 1.414, -1.414, 0.5, 2.5, 1e300, -1e-300, 3, nil, "a", "b", true, 7.25, -1e308}

// vizFuzzInput builds a visualize_doe input from fuzz bytes: a plot type,
// a small design with numbers, nulls, strings and booleans, options, and
// sometimes analysis results.
func vizFuzzInput(data []byte) map[string]any {
	b := vizFuzzBytes(data)
	in := map[string]any{"plot_type": vizPlotTypes[b.next()%len(vizPlotTypes)]}
	cols := []string{"A", "B", "C", "y", "RunOrder"}[:1+b.next()%5]
	if n := b.next() % 14; n > 0 {
		var rows []map[string]any
		for range n {
			r := map[string]any{}
			for _, c := range cols {
				if k := b.next(); k%7 != 6 {
					r[c] = vizFuzzValues[k%len(vizFuzzValues)]
				}
			}
			rows = append(rows, r)
		}
		in["design_data"] = rows
	}
	switch b.next() % 4 {
	case 1:
		in["response_column"] = cols[len(cols)-1]
	case 2:
		in["response_column"] = "y"
	}
	if k := b.next() % 4; k > 0 {
		in["factors_to_plot"] = []string{"A", "B", "C"}[:k]
	}
	if b.next()%3 == 0 {
		in["hold_values"] = map[string]any{"C": vizFuzzValues[b.next()%7]}
	}
	if k := b.next() % 5; k > 0 {
		in["confidence_level"] = []float64{0.5, 0.9, 0.999999, 1e-9}[k-1]
	}
	in["highlight_significant"] = b.next()%2 == 0
	in["backend"] = []string{"both", "plotly", "echarts"}[b.next()%3]
	if b.next()%2 == 0 {
		ar := map[string]any{}
		terms := []string{"Intercept", "A", "B", "A:B", "I(A ** 2)", "C", "I(B ** 3)", "Q(\"x y\")", "C[T.b]", "bad:"}
		var coefs []map[string]any
		effects := map[string]any{}
		for i := range b.next() % 8 {
			val := vizFuzzValues[b.next()%len(vizFuzzValues)]
			if _, ok := val.(float64); !ok && val != nil {
				val = float64(i)
			}
			term := terms[b.next()%len(terms)]
			coefs = append(coefs, map[string]any{"term": term, "coefficient": val})
			effects[term] = val
		}
		if b.next()%2 == 0 {
			ar["coefficients"] = coefs
		}
		if b.next()%2 == 0 {
			ar["effects"] = effects
		}
		if b.next()%3 == 0 {
			ar["residual_diagnostics"] = map[string]any{"residuals": []any{0.1, nil, -0.2, 1e300}, "fitted_values": []any{1, 2, nil, 3}}
		}
		if b.next()%3 == 0 {
			ar["lenth_method"] = map[string]any{"ME": 1.0, "SME": nil, "effects": []any{map[string]any{"term": "A", "effect": 2.0, "active_ME": true}}}
		}
		if b.next()%3 == 0 {
			ar["model_summary"] = map[string]any{"formula": "y ~ A*B", "n_obs": float64(b.next()), "df_model": float64(b.next() % 9)}
		}
		if b.next()%3 == 0 {
			ar["optimization"] = map[string]any{"responses": []any{map[string]any{"name": "r", "goal": []string{"maximize", "minimize", "target"}[b.next()%3],
				"low": 0.0, "high": vizFuzzValues[b.next()%7], "target": 0.5, "coefficients": coefs}}}
		}
		if b.next()%3 == 0 {
			ar["steepest_path"] = map[string]any{"direction": "ascent", "steps": []any{map[string]any{"step": 0, "coded": map[string]any{"A": 0.5}}}}
		}
		in["analysis_results"] = ar
	}
	return in
}

// FuzzVisualizeDOE: no input the tool accepts may panic, every refusal or
// failure is a typed error, and every result encodes as JSON.
func FuzzVisualizeDOE(f *testing.F) {
	for _, seed := range []string{"\x00\x03\x05", "\x0a\x04\x0c\x01\x02\x03\x04", "\x13\x05\x0d\x07\x00\x01", "\x05\x02\x03\x09\x09\x09\x00\x01\x01\x00\x00\x00\x00",
		"\x0e\x03\x08\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"} {
		f.Add([]byte(seed))
	}
	for pt := range vizPlotTypes {
		f.Add([]byte{byte(pt), 4, 12, 0, 2, 3, 0, 2, 1, 3, 4, 0, 0, 1, 0, 1, 2, 0, 0, 0, 5, 0, 0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0})
	}
	d := visualizeDOEDef()
	f.Fuzz(func(t *testing.T, data []byte) {
		input, err := json.Marshal(vizFuzzInput(data))
		if err != nil {
			t.Skip()
		}
		vizFuzzRun(t, d, input)
	})
}

func vizFuzzRun(t *testing.T, d *tool.Def, input []byte) {
	t.Helper()
	typedErr := func(err error) {
		var e *errcode.Error
		if !errors.As(err, &e) || !e.Code.Known() {
			t.Fatalf("%s: untyped error %T %v", input, err, err)
		}
	}
	if err := d.Check(input); err != nil {
		typedErr(err)
		return
	}
	v, err := d.Run(context.Background(), input)
	if err != nil {
		typedErr(err)
		return
	}
	b, err := tool.Marshal(v)
	if err != nil || !json.Valid(b) {
		t.Fatalf("%s: result does not encode: %v", input, err)
	}
}
