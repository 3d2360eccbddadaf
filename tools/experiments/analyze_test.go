package experiments_test

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
)

// aeTolerance: statsmodels and this port agree to about 1e-12 on
// well-conditioned fits; the comparison leaves room for the t quantiles
// (scipy 1.10's t.ppf is off by up to about 2e-9 relative: t.ppf(0.975, 4/3)
// is 7.191585019183168 where the quantile is 7.191585010780475, which moves
// Lenth's ME by 1.2e-9), for values that are rounding noise in a perfect or
// saturated fit (an absolute 1e-9), for scipy's single-precision
// Shapiro–Wilk, and for the Box–Cox λ, which agrees to about 1e-6 (the
// likelihood is flat at its maximum).
func aeTolerance(path string) (rel, abs float64) {
	switch {
	case strings.HasPrefix(path, "box_cox"):
		return 1e-5, 1e-6
	case strings.Contains(path, "shapiro_wilk"):
		// scipy's swilk works in single precision (stats.ShapiroWilk).
		return 1e-5, 1e-6
	}
	return 1e-8, 1e-9
}

func TestAnalyzeGolden(t *testing.T) {
	t.Parallel()
	for _, name := range aeGoldenCases(t, "analyze_experiment") {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tol := aeTolerance
			if strings.HasPrefix(name, "box_cox") {
				// The whole fit is of the response transformed with a λ
				// that agrees to about 1e-7.
				tol = func(string) (rel, abs float64) { return 1e-5, 1e-6 }
			}
			aeGolden(t, "analyze_experiment", name, tol)
		})
	}
}

// TestAnalyzeSpecGoldens pins the values that seed-spec §6.4 lists for
// analyze_experiment (they are also in the golden files).
func TestAnalyzeSpecGoldens(t *testing.T) {
	t.Parallel()
	run := func(name string) any {
		out, err := aeRun(t, "analyze_experiment", string(mustRead(t, "testdata/analyze_experiment/"+name+".json")))
		if err != nil {
			t.Fatal(err)
		}
		v, err := aeDecode(out)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.17g, want %.17g", what, got, want)
		}
	}
	isNull := func(what string, v any) {
		t.Helper()
		if v != nil {
			t.Errorf("%s = %v, want null", what, v)
		}
	}

	// 2² plus 3 centre points, the default interactions model.
	cp := run("center_points")
	if f := aeGet(t, cp, "model_summary", "formula"); f != "y ~ (A + B) ** 2" {
		t.Errorf("formula %v", f)
	}
	for k, want := range map[string]float64{"r_squared": 0.8957407407407407, "r_squared_adj": 0.7914814814814815,
		"r_squared_pred": -2.5923251028806535, "adequate_precision": 9.197652028747239, "n_obs": 7, "df_model": 3,
		"df_residual": 3, "mse_residual": 6.702380952380953} {
		near(k, aeNum(t, cp, "model_summary", k), want)
	}
	for i, w := range []struct {
		src        string
		ss, f, p   float64
		df         float64
		meanSqNull bool
	}{
		{"A", 110.25, 16.449378330373, 0.027009697578199435, 1, true},
		{"B", 56.25, 8.392539964476008, 0.06265553722121596, 1, true},
		{"A:B", 6.25, 0.9325044404973335, 0.40544570514768746, 1, true},
	} {
		if s := aeGet(t, cp, "anova_table", i, "source"); s != w.src {
			t.Errorf("anova row %d is %v, want %s", i, s, w.src)
		}
		near(w.src+" SS", aeNum(t, cp, "anova_table", i, "sum_sq"), w.ss)
		near(w.src+" F", aeNum(t, cp, "anova_table", i, "F"), w.f)
		near(w.src+" p", aeNum(t, cp, "anova_table", i, "p_value"), w.p)
		near(w.src+" df", aeNum(t, cp, "anova_table", i, "df"), w.df)
		isNull(w.src+" mean_sq", aeGet(t, cp, "anova_table", i, "mean_sq"))
	}
	near("Residual SS", aeNum(t, cp, "anova_table", 3, "sum_sq"), 20.10714285714286)
	near("Residual df", aeNum(t, cp, "anova_table", 3, "df"), 3)
	isNull("Residual F", aeGet(t, cp, "anova_table", 3, "F"))
	near("Intercept", aeNum(t, cp, "coefficients", 0, "coefficient"), 26.857142857142858)
	near("Intercept se", aeNum(t, cp, "coefficients", 0, "std_error"), 0.9785105994302152)
	for i, w := range []float64{5.25, -3.75, 1.25} {
		near(fmt.Sprintf("coefficient %d", i+1), aeNum(t, cp, "coefficients", i+1, "coefficient"), w)
		near(fmt.Sprintf("se %d", i+1), aeNum(t, cp, "coefficients", i+1, "std_error"), 1.2944478506665453)
	}
	near("A ci_low", aeNum(t, cp, "coefficients", 1, "ci_low"), 1.1304892202630992)
	near("A ci_high", aeNum(t, cp, "coefficients", 1, "ci_high"), 9.369510779736904)
	for k, w := range map[string]float64{"A": 10.5, "B": -7.5, "A:B": 2.5} {
		near("effect "+k, aeNum(t, cp, "effects", k), w)
	}
	for k, w := range map[string]float64{"center_point_mean": 25, "factorial_point_mean": 28.25, "difference": -3.25,
		"t_statistic": -1.6436540326482494, "p_value": 0.1987931782692336, "n_center_points": 3, "n_factorial_points": 4} {
		near("curvature "+k, aeNum(t, cp, "curvature_test", k), w)
	}
	for k, w := range map[string]float64{"ss_lack_of_fit": 18.10714285714286, "df_lack_of_fit": 1, "ss_pure_error": 2,
		"df_pure_error": 2, "f_statistic": 18.10714285714286, "p_value": 0.05103590179591899} {
		near("lack of fit "+k, aeNum(t, cp, "lack_of_fit", k), w)
	}
	if s := aeGet(t, cp, "lack_of_fit", "significant"); s != false {
		t.Errorf("lack_of_fit significant = %v (%T), want the boolean false", s, s)
	}
	if s := fmt.Sprint(aeGet(t, cp, "significant_terms")); s != "[A]" {
		t.Errorf("significant_terms %s, want [A]", s)
	}

	// 2² replicated twice, diagnostics and a prediction at the centre.
	rp := run("replicated")
	near("r²", aeNum(t, rp, "model_summary", "r_squared"), 0.9881305637982196)
	near("pred r²", aeNum(t, rp, "model_summary", "r_squared_pred"), 0.9525222551928784)
	near("AP", aeNum(t, rp, "model_summary", "adequate_precision"), 24.945655218609)
	near("MSE", aeNum(t, rp, "model_summary", "mse_residual"), 0.875)
	for i, w := range []float64{190.125, 91.125, 10.125, 3.5} {
		near(fmt.Sprintf("SS %d", i), aeNum(t, rp, "anova_table", i, "sum_sq"), w)
	}
	near("F A", aeNum(t, rp, "anova_table", 0, "F"), 217.2857142857143)
	near("p A", aeNum(t, rp, "anova_table", 0, "p_value"), 1.2327647501e-4)
	near("residual df", aeNum(t, rp, "anova_table", 3, "df"), 4)
	// Shapiro–Wilk: scipy's swilk is single precision.
	if w := aeNum(t, rp, "residual_diagnostics", "shapiro_wilk", "statistic"); math.Abs(w-0.8830371499061584) > 1e-6 {
		t.Errorf("SW W = %g", w)
	}
	if p := aeNum(t, rp, "residual_diagnostics", "shapiro_wilk", "p_value"); math.Abs(p-0.20129923522472382) > 1e-5 {
		t.Errorf("SW p = %g", p)
	}
	near("DW", aeNum(t, rp, "residual_diagnostics", "durbin_watson"), 2.285714285714284)
	near("BP", aeNum(t, rp, "residual_diagnostics", "breusch_pagan", "statistic"), 8.0)
	near("BP p", aeNum(t, rp, "residual_diagnostics", "breusch_pagan", "p_value"), 0.04601170568923136)
	for i, w := range []float64{0.142857, 0.571429, 0.142857, 0.142857, 0.142857, 0.571429, 0.142857, 0.142857} {
		if d := aeNum(t, rp, "residual_diagnostics", "cooks_distance", i); math.Abs(d-w) > 1e-6 {
			t.Errorf("Cook's D[%d] = %g, want %g", i, d, w)
		}
		near(fmt.Sprintf("leverage %d", i), aeNum(t, rp, "residual_diagnostics", "leverage", i), 0.5)
	}
	near("prediction", aeNum(t, rp, "predictions", 0, "predicted"), 27.875)
	near("ci_low", aeNum(t, rp, "predictions", 0, "ci_low"), 26.956777090353004)
	near("ci_high", aeNum(t, rp, "predictions", 0, "ci_high"), 28.79322290964699)
	near("pi_low", aeNum(t, rp, "predictions", 0, "pi_low"), 25.12033127105902)
	near("pi_high", aeNum(t, rp, "predictions", 0, "pi_high"), 30.629668728940974)
	if w := aeGet(t, rp, "confirmation_test", "results", 0, "within_PI"); w != true {
		t.Errorf("within_PI %v", w)
	}

	// 2³ unreplicated, y ~ A*B*C, Lenth.
	ln := run("lenth_saturated")
	for i, w := range []struct {
		term   string
		effect float64
	}{{"A", 52}, {"B", -1}, {"A:B", -12}, {"C", 9.5}, {"A:C", -30.5}, {"B:C", -18.5}, {"A:B:C", 24.5}} {
		if s := aeGet(t, ln, "lenth_method", "effects", i, "term"); s != w.term {
			t.Errorf("effect %d is %v, want %s", i, s, w.term)
		}
		near("effect "+w.term, aeNum(t, ln, "lenth_method", "effects", i, "effect"), w.effect)
		if a := aeGet(t, ln, "lenth_method", "effects", i, "active_ME"); a != false {
			t.Errorf("%s active_ME = %v", w.term, a)
		}
	}
	near("PSE", aeNum(t, ln, "lenth_method", "PSE"), 27.75)
	near("ME", aeNum(t, ln, "lenth_method", "ME"), 104.45441525088813)
	near("SME", aeNum(t, ln, "lenth_method", "SME"), 252.3867598786643)
	for _, k := range []string{"r_squared_adj", "r_squared_pred", "adequate_precision", "mse_residual"} {
		isNull("saturated "+k, aeGet(t, ln, "model_summary", k))
	}
}

// TestAnalyzeInvalid: malformed inputs are refused with input_invalid or
// input_too_large before anything runs.
func TestAnalyzeInvalid(t *testing.T) {
	t.Parallel()
	rows := `[{"A": -1, "B": -1, "y": 28}, {"A": 1, "B": -1, "y": 36}, {"A": -1, "B": 1, "y": 18}, {"A": 1, "B": 1, "y": 31}]`
	with := func(extra string) string {
		return `{"design_matrix": ` + rows + `, "response_column": "y"` + extra + `}`
	}
	cases := []struct {
		name, input string
		code        errcode.Code
	}{
		{"no response column", `{"design_matrix": ` + rows + `, "response_column": "z"}`, errcode.InputInvalid},
		{"response only", `{"design_matrix": [{"y": 1}, {"y": 2}], "response_column": "y"}`, errcode.InputInvalid},
		{"one run", `{"design_matrix": [{"A": 1, "y": 1}], "response_column": "y"}`, errcode.InputInvalid},
		{"ragged rows", `{"design_matrix": [{"A": 1, "y": 1}, {"y": 2}], "response_column": "y"}`, errcode.InputInvalid},
		{"extra column later", `{"design_matrix": [{"A": 1, "y": 1}, {"A": 2, "B": 1, "y": 2}], "response_column": "y"}`, errcode.InputInvalid},
		{"null value", `{"design_matrix": [{"A": 1, "y": 1}, {"A": null, "y": 2}], "response_column": "y"}`, errcode.InputInvalid},
		{"string value", `{"design_matrix": [{"A": 1, "y": 1}, {"A": "hi", "y": 2}], "response_column": "y"}`, errcode.InputInvalid},
		{"not an identifier", `{"design_matrix": [{"a b": 1, "y": 1}, {"a b": 2, "y": 2}], "response_column": "y"}`, errcode.InputInvalid},
		{"code in the formula", with(`, "model": "y ~ I(__import__('os').system('id'))"`), errcode.InputInvalid},
		{"formula syntax", with(`, "model": "y ~ A +* B"`), errcode.InputInvalid},
		{"formula response", with(`, "model": "A ~ B"`), errcode.InputInvalid},
		{"formula without response", with(`, "model": "~ A + B"`), errcode.InputInvalid},
		{"unknown column in formula", with(`, "model": "y ~ A + C"`), errcode.InputInvalid},
		{"unknown analysis", with(`, "analysis_type": "magic"`), errcode.InputInvalid},
		{"unknown analysis in list", with(`, "analysis_type": ["anova", "magic"]`), errcode.InputInvalid},
		{"analysis not a string", with(`, "analysis_type": 3`), errcode.InputInvalid},
		{"significance 0", with(`, "significance_level": 0`), errcode.InputInvalid},
		{"significance 1", with(`, "significance_level": 1`), errcode.InputInvalid},
		{"unknown transform", with(`, "transform": "exp"`), errcode.InputInvalid},
		{"log of zero", `{"design_matrix": [{"A": 1, "y": 0}, {"A": 2, "y": 2}], "response_column": "y", "transform": "log"}`, errcode.InputInvalid},
		{"sqrt of negative", `{"design_matrix": [{"A": 1, "y": -1}, {"A": 2, "y": 2}], "response_column": "y", "transform": "sqrt"}`, errcode.InputInvalid},
		{"inverse of zero", `{"design_matrix": [{"A": 1, "y": 0}, {"A": 2, "y": 2}], "response_column": "y", "transform": "inverse"}`, errcode.InputInvalid},
		{"box_cox of negative", `{"design_matrix": [{"A": 1, "y": -1}, {"A": 2, "y": 2}], "response_column": "y", "transform": "box_cox"}`, errcode.InputInvalid},
		{"box_cox of a constant", `{"design_matrix": [{"A": 1, "y": 3}, {"A": 2, "y": 3}], "response_column": "y", "transform": "box_cox"}`, errcode.InputInvalid},
		{"new point lacks a factor", with(`, "analysis_type": "prediction", "new_points": [{"A": 0}]`), errcode.InputInvalid},
		{"new point null", with(`, "analysis_type": "prediction", "new_points": [{"A": 0, "B": null}]`), errcode.InputInvalid},
		{"observed count", with(`, "analysis_type": "confirmation_test", "new_points": [{"A": 0, "B": 0}], "observed_at_new": [1, 2]`), errcode.InputInvalid},
		{"unknown key", with(`, "alpha": 0.1`), errcode.InputInvalid},
		{"too many terms", `{"design_matrix": [` + wideRow(14) + `, ` + wideRow(14) + `], "response_column": "y"}`, errcode.InputTooLarge},
		{"model selection too wide", `{"design_matrix": [` + wideRow(14) + `, ` + wideRow(14) + `], "response_column": "y", "model": "main_effects", "analysis_type": "model_selection"}`, errcode.InputTooLarge},
		{"model selection too much work", `{"design_matrix": [` + strings.TrimSuffix(strings.Repeat(wideRow(13)+", ", 3000), ", ") + `], "response_column": "y", "model": "main_effects", "analysis_type": ["anova", "model_selection"]}`, errcode.InputTooLarge},
		{"formula too long", with(`, "model": "y ~ A` + strings.Repeat(" + A", 1400) + `"`), errcode.InputTooLarge},
	}
	for _, tc := range cases {
		_, err := aeRun(t, "analyze_experiment", tc.input)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		t.Run(tc.name, func(t *testing.T) { aeWantCode(t, err, tc.code) })
	}
}

// wideRow is a run with k factors X0…X(k−1) and a response.
func wideRow(k int) string {
	var parts []string
	for i := 0; i < k; i++ {
		parts = append(parts, fmt.Sprintf(`"X%d": %d`, i, i%2*2-1))
	}
	return "{" + strings.Join(parts, ", ") + `, "y": 1}`
}

// TestAnalyzeRegistry runs the tool through the registry: schema, Check and
// the example.
func TestAnalyzeRegistry(t *testing.T) {
	t.Parallel()
	reg := tools.Standard()
	ex := reg.Example("analyze_experiment")
	norm, err := reg.Validate("analyze_experiment", []byte(ex), nil)
	if err != nil {
		t.Fatalf("example refused: %v", err)
	}
	if _, err := aeRun(t, "analyze_experiment", string(norm)); err != nil {
		t.Fatalf("example fails: %v", err)
	}
	rows := `[{"A": -1, "y": 1}, {"A": 1, "y": 2}, {"A": 0, "y": 2}]`
	for _, tc := range []struct {
		input string
		code  errcode.Code
	}{
		{`{"design_matrix": ` + rows + `}`, errcode.InputInvalid},
		{`{"design_matrix": [{"A": 1, "y": 2}], "response_column": "y"}`, errcode.InputInvalid},
		{`{"design_matrix": ` + rows + `, "response_column": "y", "analysis_type": ["anova", "nope"]}`, errcode.InputInvalid},
		{`{"design_matrix": ` + rows + `, "response_column": "y", "transform": "exp"}`, errcode.InputInvalid},
		{`{"design_matrix": ` + rows + `, "response_column": "y", "significance_level": 1.5}`, errcode.InputInvalid},
		{`{"design_matrix": [{"A": "x", "y": 2}, {"A": "z", "y": 2}], "response_column": "y"}`, errcode.InputInvalid},
		{`{"design_matrix": ` + rows + `, "response_column": "y", "extra": 1}`, errcode.InputInvalid},
	} {
		_, err := reg.Validate("analyze_experiment", []byte(tc.input), nil)
		if err == nil {
			t.Errorf("%s: accepted", tc.input)
			continue
		}
		aeWantCode(t, err, tc.code)
	}
	// Nulls mean "use the default": anova with the interactions model.
	norm, err = reg.Validate("analyze_experiment", []byte(`{"design_matrix": `+rows+`, "response_column": "y", "model": null, "analysis_type": null, "transform": null}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := aeRun(t, "analyze_experiment", string(norm))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := aeDecode(out)
	if f := aeGet(t, v, "model_summary", "formula"); f != "y ~ (A) ** 2" {
		t.Errorf("default formula %v", f)
	}
	if _, ok := aeGet(t, v, "anova_table").([]any); !ok {
		t.Errorf("default analysis is not anova: %s", out)
	}
}

// TestAnalyzeBoxCoxProperty: for a response whose logarithm is exactly
// normal (normal scores), box_cox finds λ ≈ 0 and recommends the log
// transform.
func TestAnalyzeBoxCoxProperty(t *testing.T) {
	t.Parallel()
	const n = 40
	var rows []map[string]float64
	for i := 0; i < n; i++ {
		z := stdNormalQuantile((float64(i) + 0.5) / n)
		rows = append(rows, map[string]float64{"A": float64(i%2*2 - 1), "y": math.Exp(2 + 0.4*z)})
	}
	in, _ := json.Marshal(map[string]any{"design_matrix": rows, "response_column": "y", "analysis_type": "box_cox"})
	out, err := aeRun(t, "analyze_experiment", string(in))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := aeDecode(out)
	if l := aeNum(t, v, "box_cox", "lambda"); math.Abs(l) > 0.02 {
		t.Errorf("λ = %g for log-normal data, want ≈ 0", l)
	}
	if r := aeGet(t, v, "box_cox", "recommendation"); r != "log transform" {
		t.Errorf("recommendation %v", r)
	}
	// The transformed values are the Box–Cox transform at λ̂.
	l := aeNum(t, v, "box_cox", "lambda")
	for i, row := range rows {
		want := (math.Pow(row["y"], l) - 1) / l
		if got := aeNum(t, v, "box_cox", "transformed_values", i); math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("transformed[%d] = %g, want %g", i, got, want)
		}
	}
}

// TestAnalyzeDegenerate: a constant response or factor, an intercept-only
// model and a two-run design give results (nulls where undefined), not
// panics or untyped errors.
func TestAnalyzeDegenerate(t *testing.T) {
	t.Parallel()
	all := `["anova", "effects", "coefficients", "significance", "residual_diagnostics", "lack_of_fit", "curvature_test", "model_selection", "lenth_method", "confidence_intervals", "prediction", "confirmation_test"]`
	for _, in := range []string{
		`{"design_matrix": [{"A": -1, "y": 5}, {"A": 1, "y": 5}, {"A": 0, "y": 5}, {"A": 0, "y": 5}], "response_column": "y", "analysis_type": ` + all + `, "new_points": [{"A": 0.5}], "observed_at_new": [5]}`,
		`{"design_matrix": [{"A": 0, "B": -1, "y": 1}, {"A": 0, "B": 1, "y": 3}, {"A": 0, "B": 1, "y": 4}], "response_column": "y", "analysis_type": ` + all + `}`,
		`{"design_matrix": [{"A": -1, "y": 1}, {"A": 1, "y": 3}, {"A": 1, "y": 4}], "response_column": "y", "model": "y ~ 1", "analysis_type": ` + all + `}`,
		`{"design_matrix": [{"A": -1, "y": 1}, {"A": 1, "y": 3}], "response_column": "y", "analysis_type": ` + all + `}`,
	} {
		out, err := aeRun(t, "analyze_experiment", in)
		if err != nil {
			if c := errcode.Of(err); c != errcode.ToolError {
				t.Errorf("%s: %v (%s)", in, err, c)
			}
			continue
		}
		if _, err := aeDecode(out); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
}

// stdNormalQuantile is Φ⁻¹(p) by bisection on math.Erf, enough for tests.
func stdNormalQuantile(p float64) float64 {
	lo, hi := -10.0, 10.0
	for range 200 {
		mid := (lo + hi) / 2
		if 0.5*(1+math.Erf(mid/math.Sqrt2)) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}
