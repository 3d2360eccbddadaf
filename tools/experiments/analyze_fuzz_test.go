package experiments_test

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
)

// aeFuzzInput builds an analyze_experiment input from fuzz bytes: up to 16
// runs of one to three factors at levels −1, 0, +1 (or other values), a
// response from the bytes, and a choice of model, transform, analyses,
// significance level and new points.
func aeFuzzInput(data []byte) string {
	pick := func(n int) int {
		if len(data) == 0 {
			return 0
		}
		b := int(data[0])
		data = data[1:]
		return b % n
	}
	num := func() float64 {
		if len(data) < 8 {
			return float64(pick(7)) - 3
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(data))
		data = data[8:]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 1e300
		}
		return v
	}
	levels := []float64{-1, 0, 1, 1, -1, 0.5, -1.682, 2}
	k := 1 + pick(3)
	n := 2 + pick(15)
	names := []string{"A", "B", "C"}[:k]
	var rows []map[string]any
	for i := 0; i < n; i++ {
		row := map[string]any{}
		for _, f := range names {
			row[f] = levels[pick(len(levels))]
		}
		if pick(4) == 0 {
			row["y"] = num()
		} else {
			row["y"] = float64(pick(50)) + float64(pick(10))/10
		}
		rows = append(rows, row)
	}
	models := []string{"main_effects", "interactions", "quadratic", "y ~ A*B*C", "A + I(A ** 3)", "y ~ C(A) + B", "y ~ 1", "y ~ A - 1"}
	transforms := []string{"", "log", "sqrt", "inverse", "box_cox"}
	var types []string
	for _, t := range []string{"anova", "effects", "coefficients", "significance", "residual_diagnostics", "lack_of_fit",
		"curvature_test", "model_selection", "box_cox", "lenth_method", "confidence_intervals", "prediction", "confirmation_test"} {
		if pick(2) == 0 {
			types = append(types, t)
		}
	}
	in := map[string]any{"design_matrix": rows, "response_column": "y", "model": models[pick(len(models))],
		"analysis_type": types, "significance_level": []float64{0.05, 0.5, 1e-9, 0.999}[pick(4)]}
	if t := transforms[pick(len(transforms))]; t != "" {
		in["transform"] = t
	}
	if pick(2) == 0 {
		np := map[string]any{}
		for _, f := range names {
			np[f] = num()
		}
		in["new_points"] = []any{np}
		in["observed_at_new"] = []float64{num()}
	}
	b, _ := json.Marshal(in)
	return string(b)
}

// FuzzAnalyzeExperiment: whatever passes validation runs without a panic,
// gives valid JSON or a typed error; refusals are typed.
func FuzzAnalyzeExperiment(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 60 {
		b := make([]byte, 300)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		f.Add(b)
	}
	reg := tools.Standard()
	f.Fuzz(func(t *testing.T, data []byte) {
		in := aeFuzzInput(data)
		norm, err := reg.Validate("analyze_experiment", []byte(in), nil)
		if err != nil {
			if c := errcode.Of(err); c != errcode.InputInvalid && c != errcode.InputTooLarge {
				t.Fatalf("refusal with code %s: %v", c, err)
			}
			return
		}
		out, err := aeRun(t, "analyze_experiment", string(norm))
		if err != nil {
			if c := errcode.Of(err); !c.Known() {
				t.Fatalf("untyped error %v on %s", err, norm)
			}
			return
		}
		if _, err := aeDecode(out); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	})
}

// TestAnalyzeProperties checks identities that hold for any data, on random
// replicated designs: lack of fit and pure error add up to the residual sum
// of squares; effects are twice the coefficients; the coefficient and
// confidence_intervals blocks agree at α = 0.05; predictions at the design
// points are the fitted values; the ANOVA residual row is the residual sum
// of squares; leverages sum to the rank.
func TestAnalyzeProperties(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 30 {
		k := 2 + r.IntN(2)
		names := []string{"A", "B", "C"}[:k]
		var rows, points []map[string]float64
		var observed []float64
		for rep := 0; rep < 2; rep++ {
			for i := 0; i < 1<<k; i++ {
				row := map[string]float64{}
				y := 10.0
				for j, f := range names {
					row[f] = float64(i>>j&1*2 - 1)
					y += float64(j+1) * row[f]
				}
				row["y"] = y + r.NormFloat64()
				rows = append(rows, row)
			}
		}
		for c := 0; c < 1+r.IntN(3); c++ {
			row := map[string]float64{"y": 10 + r.NormFloat64()}
			for _, f := range names {
				row[f] = 0
			}
			rows = append(rows, row)
		}
		for _, row := range rows {
			p := map[string]float64{}
			for _, f := range names {
				p[f] = row[f]
			}
			points = append(points, p)
			observed = append(observed, row["y"])
		}
		in, _ := json.Marshal(map[string]any{"design_matrix": rows, "response_column": "y", "new_points": points,
			"observed_at_new": observed, "analysis_type": []string{"lack_of_fit", "effects", "coefficients",
				"confidence_intervals", "prediction", "residual_diagnostics", "anova", "curvature_test"}})
		out, err := aeRun(t, "analyze_experiment", string(in))
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		v, _ := aeDecode(out)
		near := func(what string, got, want float64) {
			t.Helper()
			if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("trial %d: %s = %.17g, want %.17g", trial, what, got, want)
			}
		}
		var ssr, hsum float64
		res := aeGet(t, v, "residual_diagnostics", "residuals").([]any)
		for i := range res {
			e := aeNum(t, v, "residual_diagnostics", "residuals", i)
			ssr += e * e
			hsum += aeNum(t, v, "residual_diagnostics", "leverage", i)
			near(fmt.Sprintf("prediction %d", i), aeNum(t, v, "predictions", i, "predicted"),
				aeNum(t, v, "residual_diagnostics", "fitted_values", i))
		}
		near("SS_LOF + SS_PE", aeNum(t, v, "lack_of_fit", "ss_lack_of_fit")+aeNum(t, v, "lack_of_fit", "ss_pure_error"), ssr)
		near("Σh", hsum, aeNum(t, v, "model_summary", "df_model")+1)
		table := aeGet(t, v, "anova_table").([]any)
		near("ANOVA residual SS", aeNum(t, v, "anova_table", len(table)-1, "sum_sq"), ssr)
		coefs := aeGet(t, v, "coefficients").([]any)
		for j := range coefs {
			term := aeGet(t, v, "coefficients", j, "term").(string)
			near("ci_low "+term, aeNum(t, v, "confidence_intervals", j, "ci_low"), aeNum(t, v, "coefficients", j, "ci_low"))
			if term != "Intercept" {
				near("effect "+term, aeNum(t, v, "effects", term), 2*aeNum(t, v, "coefficients", j, "coefficient"))
			}
		}
		if n := aeNum(t, v, "curvature_test", "n_center_points"); n < 1 {
			t.Errorf("trial %d: %g centre points", trial, n)
		}
	}
}
