package multivariate

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/errcode"
)

// plsOutput mirrors fit_pls's JSON output.
type plsOutput struct {
	NComponents               int         `json:"n_components"`
	NComponentsRequested      int         `json:"n_components_requested"`
	NComponentsNote           string      `json:"n_components_note"`
	R2XCumulative             []float64   `json:"r2x_cumulative"`
	R2PerComponent            []float64   `json:"r2_per_component"`
	R2YCumulative             []float64   `json:"r2y_cumulative"`
	R2XTrueCumulative         []float64   `json:"r2x_true_cumulative"`
	RMSE                      [][]float64 `json:"rmse"`
	RMSEScaled                [][]float64 `json:"rmse_scaled"`
	Coefficients              [][]float64 `json:"coefficients"`
	CoefficientsOriginalScale [][]float64 `json:"coefficients_original_scale"`
	Intercept                 []float64   `json:"intercept"`
	ModelParams               struct {
		XLoadings              [][]float64 `json:"x_loadings"`
		YLoadings              [][]float64 `json:"y_loadings"`
		DirectWeights          [][]float64 `json:"direct_weights"`
		BetaCoefficients       [][]float64 `json:"beta_coefficients"`
		XWeights               [][]float64 `json:"x_weights"`
		XMeans                 []float64   `json:"x_means"`
		XStds                  []float64   `json:"x_stds"`
		YMeans                 []float64   `json:"y_means"`
		YStds                  []float64   `json:"y_stds"`
		NComponents            int         `json:"n_components"`
		ScalingFactorForScores []float64   `json:"scaling_factor_for_scores"`
		NSamples               int         `json:"n_samples"`
		SPEValues              []float64   `json:"spe_values"`
		XColumnNames           []string    `json:"x_column_names"`
		YColumnNames           []string    `json:"y_column_names"`
	} `json:"model_params"`
}

// col returns column c of rows.
func col(rows [][]float64, c int) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = r[c]
	}
	return out
}

// TestFitPLSToolGolden is the seed's observed call fit_pls(x_data=X,
// y_data=y, n_components=1) on the SIMCA-P case (seed-spec §6.2), through
// the tool: every observed value, the seed's keys and this port's additions.
func TestFitPLSToolGolden(t *testing.T) {
	t.Parallel()
	var out plsOutput
	raw, keys := runDef(t, fitPLSDef(), map[string]any{"x_data": goldenX, "y_data": goldenY, "n_components": 1}, &out)
	wantKeys := []string{"coefficients", "coefficients_original_scale", "intercept", "model_params", "n_components",
		"r2_per_component", "r2x_cumulative", "r2x_true_cumulative", "r2y_cumulative", "rmse", "rmse_scaled"}
	if got := sortedKeys(keys); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("output keys = %v, want %v", got, wantKeys)
	}
	if strings.Contains(string(raw), "null") {
		t.Errorf("output has a null: %s", raw)
	}

	if out.NComponents != 1 || out.ModelParams.NComponents != 1 || out.ModelParams.NSamples != 11 {
		t.Errorf("n_components %d, model_params n_components %d, n_samples %d; want 1, 1, 11",
			out.NComponents, out.ModelParams.NComponents, out.ModelParams.NSamples)
	}
	assertSlice(t, "r2x_cumulative", out.R2XCumulative, []float64{goldenPLSR2Y}, goldenRel, 0)
	assertSlice(t, "r2y_cumulative", out.R2YCumulative, []float64{goldenPLSR2Y}, goldenRel, 0)
	assertSlice(t, "r2_per_component", out.R2PerComponent, []float64{goldenPLSR2Y}, goldenRel, 0)
	assertSlice(t, "r2x_true_cumulative (SIMCA-P R2X)", out.R2XTrueCumulative, []float64{simcaR2X}, 1e-5, 0)
	if len(out.RMSEScaled) != 1 || len(out.RMSE) != 1 {
		t.Fatalf("rmse has %d rows, rmse_scaled %d; want 1 (one response)", len(out.RMSE), len(out.RMSEScaled))
	}
	assertSlice(t, "rmse_scaled", out.RMSEScaled[0], []float64{goldenPLSRMSEScaled}, goldenRel, 0)
	assertSlice(t, "rmse (original units)", out.RMSE[0], []float64{goldenPLSRMSEScaled * goldenPLSYStd}, goldenRel, 0)

	p := out.ModelParams
	const printed = 5e-9
	assertSlice(t, "direct_weights", col(p.DirectWeights, 0), goldenPLSWeights, goldenRel, printed)
	assertSlice(t, "x_weights", col(p.XWeights, 0), goldenPLSWeights, goldenRel, printed)
	assertSlice(t, "x_loadings", col(p.XLoadings, 0), goldenPLSLoadings, goldenRel, printed)
	assertSlice(t, "y_loadings", col(p.YLoadings, 0), []float64{goldenPLSYLoading}, goldenRel, 0)
	assertSlice(t, "coefficients", col(out.Coefficients, 0), goldenPLSBeta, goldenRel, printed)
	assertSlice(t, "beta_coefficients", col(p.BetaCoefficients, 0), goldenPLSBeta, goldenRel, printed)
	assertSlice(t, "scaling_factor_for_scores", p.ScalingFactorForScores, []float64{goldenPLSScalingFactor}, goldenRel, 0)
	assertSlice(t, "y_stds", p.YStds, []float64{goldenPLSYStd}, goldenRel, 0)
	assertSlice(t, "y_means", p.YMeans, []float64{simcaYAverage}, goldenRel, 5e-8)
	assertSlice(t, "x_means", p.XMeans, goldenMeans, goldenRel, 5e-6)
	assertSlice(t, "x_stds", p.XStds, goldenStds, goldenRel, 0)
	assertSlice(t, "spe_values", p.SPEValues, goldenPLSSPE, goldenRel, 5e-11)

	// The original-scale model reproduces the seed's ŷ (pls_predict on the
	// training rows) from the raw data.
	for i, row := range goldenX {
		yhat := out.Intercept[0]
		for j, x := range row {
			yhat += x * out.CoefficientsOriginalScale[j][0]
		}
		if !near(yhat, goldenPLSYHat[i], 1e-9, 0) {
			t.Errorf("intercept + x·coefficients_original_scale for row %d = %.10g, want ŷ %.10g", i, yhat, goldenPLSYHat[i])
		}
	}
}

// TestFitPLSToolSIMCAVIP is the seed's test_pls_variable_importance data (a
// SIMCA-P 14.1 model of y = 0.4A + 0.005B − 0.2C + 4D with 3 of the 4
// possible components): loadings, direct weights and coefficients, scaled
// and unscaled, to the test's 1e-5 (signs apart for loadings and weights,
// as in the test).
func TestFitPLSToolSIMCAVIP(t *testing.T) {
	t.Parallel()
	x := [][]float64{{1, 87, 6, 8}, {2, 23, 3, 4}, {3, 23, 5, 2}, {4, 41, 1, 6}, {5, 16, 4, 3}, {6, 16, 1, 3}, {7, 74, 5, 5}, {8, 23, 6, 2}, {9, 24, 6, 6}}
	y := make([]float64, len(x))
	for i, r := range x {
		y[i] = 0.4*r[0] + 0.005*r[1] - 0.2*r[2] + 4*r[3]
	}
	var out plsOutput
	runDef(t, fitPLSDef(), map[string]any{"x_data": x, "y_data": y, "n_components": 3}, &out)
	if out.NComponents != 3 {
		t.Fatalf("n_components = %d, want 3", out.NComponents)
	}
	wantP := [][]float64{{-0.255614, 0.681147, 0.181164, 0.702548}, {0.769273, -0.267136, -0.534682, 0.34085}, {-0.74773, -0.689608, -0.000758336, 0.396744}}
	wantWStar := [][]float64{{-0.103949, 0.576722, 0.0765457, 0.806677}, {0.618124, -0.306383, -0.425238, 0.631601}, {-0.33801, -0.764933, 0.249265, 0.554374}}
	for c := 0; c < 3; c++ {
		for j := 0; j < 4; j++ {
			if got, want := math.Abs(out.ModelParams.XLoadings[j][c]), math.Abs(wantP[c][j]); !near(got, want, 0, 1e-5) {
				t.Errorf("|P[%d][%d]| = %.8g, want %.8g", j, c, got, want)
			}
			if got, want := math.Abs(out.ModelParams.DirectWeights[j][c]), math.Abs(wantWStar[c][j]); !near(got, want, 0, 1e-5) {
				t.Errorf("|W*[%d][%d]| = %.8g, want %.8g", j, c, got, want)
			}
		}
	}
	assertSlice(t, "coefficients", col(out.Coefficients, 0), []float64{0.123194, 0.0255553, -0.0764317, 1.01191}, 0, 1e-5)
	assertSlice(t, "coefficients_original_scale", col(out.CoefficientsOriginalScale, 0), []float64{0.364184, 0.00787622, -0.305179, 3.97383}, 0, 1e-5)
}

// TestFitPLSToolRecoversLinearModel: on noise-free linear data with as many
// components as variables, PLS is ordinary least squares, so it must
// recover the generating coefficients and intercept exactly, for each of
// several responses, and explain all of Y.
func TestFitPLSToolRecoversLinearModel(t *testing.T) {
	t.Parallel()
	x := normals(7, 25, 3)
	coef := [][]float64{{1.5, -2}, {-0.5, 0.25}, {3, 0}} // K×M
	intercept := []float64{2, -10}
	y := make([][]float64, len(x))
	for i, r := range x {
		y[i] = slices.Clone(intercept)
		for m := range intercept {
			for k, v := range r {
				y[i][m] += v * coef[k][m]
			}
		}
	}
	var out plsOutput
	runDef(t, fitPLSDef(), map[string]any{"x_data": x, "y_data": y, "n_components": 3}, &out)
	if out.NComponents != 3 {
		t.Fatalf("n_components = %d (%s), want 3", out.NComponents, out.NComponentsNote)
	}
	for k := range coef {
		assertSlice(t, "coefficients_original_scale row", out.CoefficientsOriginalScale[k], coef[k], 1e-9, 1e-9)
	}
	assertSlice(t, "intercept", out.Intercept, intercept, 1e-9, 1e-9)
	// β in scaled units is the same model: b·σx/σy.
	for k := range coef {
		for m := range intercept {
			want := coef[k][m] * out.ModelParams.XStds[k] / out.ModelParams.YStds[m]
			if got := out.Coefficients[k][m]; !near(got, want, 1e-9, 1e-9) {
				t.Errorf("coefficients[%d][%d] = %v, want %v", k, m, got, want)
			}
		}
	}
	if got := out.R2XCumulative[2]; !near(got, 1, 1e-12, 0) {
		t.Errorf("R²Y with 3 components = %v, want 1", got)
	}
	for m := range out.RMSE {
		if r := out.RMSE[m][2]; r > 1e-9 {
			t.Errorf("rmse of response %d with 3 components = %v, want 0", m, r)
		}
	}
	// Cumulative R² only grows, and so does the true R²X, which reaches 1
	// with K components.
	for c := 1; c < 3; c++ {
		if out.R2XCumulative[c] < out.R2XCumulative[c-1] || out.R2XTrueCumulative[c] < out.R2XTrueCumulative[c-1] {
			t.Errorf("R² decreases: R²Y %v, R²X %v", out.R2XCumulative, out.R2XTrueCumulative)
		}
	}
	if got := out.R2XTrueCumulative[2]; !near(got, 1, 1e-12, 0) {
		t.Errorf("R²X with all 3 components = %v, want 1", got)
	}
}

// TestFitPLSToolMissingConvergesNearComplete is the seed's
// test_pls_simca_ldpe_missing_data: one cell of a low-influence observation
// is blanked, and the model must stay close to the complete-data one. The
// seed's criteria are repeated (the signed mean of |complete| − |missing|:
// within 1e-2 for the scores, 1e-3 for the X loadings, weights and Y
// loadings, and 1e-2 for SD(t)), here against this port's complete-data fit,
// which matches SIMCA-P's to about 1e-5. Those signed means let large
// differences cancel, so the test also bounds each value of the first two
// components, which the data determine well; the last components of this
// model are weakly determined (the second eigenvalue of XᵀYYᵀX is up to
// 0.68 of the first), and one missing cell moves their loadings by up to
// 0.1.
func TestFitPLSToolMissingConvergesNearComplete(t *testing.T) {
	t.Parallel()
	x, y := ldpe(t)
	full, _, _ := fitPLSRows(t, x, y, 6)
	gap := make([][]float64, len(x))
	for i := range x {
		gap[i] = slices.Clone(x[i])
	}
	gap[11][0] = math.NaN()
	md, _, _ := fitPLSRows(t, gap, y, 6)
	if md.a != 6 {
		t.Fatalf("fitted %d components (%s), want 6", md.a, md.stopped)
	}
	for c, it := range md.iterations {
		if it > nipalsMaxIter {
			t.Errorf("component %d did not converge", c+1)
		}
	}
	for _, tc := range []struct {
		name      string
		got, want *mat.Dense
		seedMean  float64 // the seed's bound on the signed mean difference
		firstTwo  float64 // bound on each value of components 1 and 2
	}{
		{"scores", md.xScores, full.xScores, 1e-2, 0.25},
		{"x loadings", md.xLoadings, full.xLoadings, 1e-3, 0.02},
		{"x weights", md.xWeights, full.xWeights, 1e-3, 0.02},
		{"y loadings", md.yLoadings, full.yLoadings, 1e-3, 0.01},
		{"SD(t)", mat.NewDense(1, 6, md.scalingFactor), mat.NewDense(1, 6, full.scalingFactor), 1e-2, 0.01},
	} {
		r, c := tc.want.Dims()
		var mean float64
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				got, want := math.Abs(tc.got.At(i, j)), math.Abs(tc.want.At(i, j))
				mean += (want - got) / float64(r*c)
				if j < 2 && math.Abs(got-want) > tc.firstTwo {
					t.Errorf("%s[%d][%d]: |%.6g| vs |%.6g| complete, more than %v apart", tc.name, i, j, got, want, tc.firstTwo)
				}
			}
		}
		if math.Abs(mean) > tc.seedMean {
			t.Errorf("%s: signed mean difference %.3g, the seed's test allows %v", tc.name, mean, tc.seedMean)
		}
	}
	assertSlice(t, "R²Y vs complete data", md.r2y, full.r2y, 0, 0.01)
}

// TestFitPLSToolSeedTests are the seed's fit_pls tests (seed-spec §4.3) with
// gonum draws from a fixed seed in place of numpy's generator.
func TestFitPLSToolSeedTests(t *testing.T) {
	t.Parallel()
	x := normals(42, 30, 3)
	noise := normals(43, 30, 1)
	y := make([]float64, len(x))
	for i, r := range x {
		y[i] = r[0] + r[1] + r[2] + 0.1*noise[i][0]
	}

	t.Run("30x3, y = row sum + noise, A=2", func(t *testing.T) {
		t.Parallel()
		var out plsOutput
		_, keys := runDef(t, fitPLSDef(), map[string]any{"x_data": x, "y_data": y, "n_components": 2}, &out)
		for _, k := range []string{"r2x_cumulative", "model_params"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("no %s", k)
			}
		}
		if _, ok := keys["error"]; ok || out.NComponents != 2 {
			t.Errorf("n_components = %d, error key present = %v; want 2 and no error", out.NComponents, ok)
		}
		// y is almost exactly the row sum, so one component explains most
		// of it and two nearly all.
		if !(out.R2XCumulative[0] > 0.9 && out.R2XCumulative[1] > out.R2XCumulative[0] && out.R2XCumulative[1] < 1) {
			t.Errorf("R²Y = %v, want above 0.9, increasing, below 1", out.R2XCumulative)
		}
	})

	t.Run("column names and Y as a list of lists, A=1", func(t *testing.T) {
		t.Parallel()
		var out plsOutput
		runDef(t, fitPLSDef(), map[string]any{
			"x_data": x, "y_data": column(y), "n_components": 1,
			"x_column_names": []string{"a", "b", "c"}, "y_column_names": []string{"yield"},
		}, &out)
		if out.NComponents != 1 || !reflect.DeepEqual(out.ModelParams.XColumnNames, []string{"a", "b", "c"}) ||
			!reflect.DeepEqual(out.ModelParams.YColumnNames, []string{"yield"}) {
			t.Errorf("n_components %d, names %v %v", out.NComponents, out.ModelParams.XColumnNames, out.ModelParams.YColumnNames)
		}
		// A flat y and a one-column matrix are the same model.
		var flat plsOutput
		runDef(t, fitPLSDef(), map[string]any{"x_data": x, "y_data": y, "n_components": 1}, &flat)
		if !reflect.DeepEqual(flat.Coefficients, out.Coefficients) || !reflect.DeepEqual(flat.RMSE, out.RMSE) {
			t.Errorf("flat y gives %v, %v; one-column y gives %v, %v", flat.Coefficients, flat.RMSE, out.Coefficients, out.RMSE)
		}
	})
}

// TestFitPLSToolComponents covers the fitted component count (seed-spec §7
// item 5): reduced to min(rows, columns), and fewer when X has no variance
// left; the request and the reason are reported only then.
func TestFitPLSToolComponents(t *testing.T) {
	t.Parallel()
	rank1 := [][]float64{{1, 2, 3}, {2, 4, 6}, {4, 8, 12}, {3, 6, 9}, {5, 10, 15}} // every column a multiple of the first
	for _, tc := range []struct {
		name     string
		x        [][]float64
		y        []float64
		request  int
		wantA    int
		wantNote string
	}{
		{"clamped by columns", [][]float64{{1, 2}, {2, 1}, {4, 5}, {3, 3}, {5, 1}}, []float64{1, 2, 3, 4, 6}, 4, 2, "reduced to min(rows, columns of x_data) = 2"},
		{"no variance left in X", rank1, []float64{1, 2, 3, 5, 4}, 3, 1, "fitting stopped after 1 component: X has no variance left"},
		// Three rows leave two dimensions after centring.
		{"clamped by rows, then X exhausted", [][]float64{{1, 2, 0, 1}, {2, 1, 1, 3}, {4, 5, 3, 2}}, []float64{1, 2, 4}, 5, 2, "fitting stopped after 2 components: X has no variance left"},
		{"not reduced", goldenX, goldenY, 3, 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out plsOutput
			_, keys := runDef(t, fitPLSDef(), map[string]any{"x_data": tc.x, "y_data": tc.y, "n_components": tc.request}, &out)
			if out.NComponents != tc.wantA || out.ModelParams.NComponents != tc.wantA {
				t.Errorf("n_components = %d, model_params.n_components = %d, want %d", out.NComponents, out.ModelParams.NComponents, tc.wantA)
			}
			if out.NComponentsNote != tc.wantNote {
				t.Errorf("n_components_note = %q, want %q", out.NComponentsNote, tc.wantNote)
			}
			_, present := keys["n_components_requested"]
			if wantEcho := tc.wantA < tc.request; present != wantEcho || (wantEcho && out.NComponentsRequested != tc.request) {
				t.Errorf("n_components_requested present=%v value=%d, want present=%v value=%d", present, out.NComponentsRequested, wantEcho, tc.request)
			}
			for name, n := range map[string]int{
				"r2x_cumulative": len(out.R2XCumulative), "r2_per_component": len(out.R2PerComponent),
				"rmse[0]": len(out.RMSE[0]), "x_loadings columns": len(out.ModelParams.XLoadings[0]),
				"direct_weights columns": len(out.ModelParams.DirectWeights[0]), "scaling_factor_for_scores": len(out.ModelParams.ScalingFactorForScores),
			} {
				if n != tc.wantA {
					t.Errorf("%s has %d values, want %d", name, n, tc.wantA)
				}
			}
		})
	}
}

// TestFitPLSToolMissingY: missing responses are skipped in the fit and in
// R² and RMSE, which stay finite.
func TestFitPLSToolMissingY(t *testing.T) {
	t.Parallel()
	y := make([]any, len(goldenY))
	for i, v := range goldenY {
		y[i] = v
	}
	y[3] = nil
	var out plsOutput
	raw, _ := runDef(t, fitPLSDef(), map[string]any{"x_data": goldenX, "y_data": y, "n_components": 2}, &out)
	if strings.Contains(string(raw), "null") {
		t.Errorf("output has a null: %s", raw)
	}
	var sum float64
	for i, v := range goldenY {
		if i != 3 {
			sum += v
		}
	}
	if got := out.ModelParams.YMeans[0]; !near(got, sum/10, 1e-12, 0) {
		t.Errorf("y_means = %v, want %v, the mean of the ten present values", got, sum/10)
	}
	if r := out.R2XCumulative; !(r[0] > 0 && r[0] < r[1] && r[1] <= 1) {
		t.Errorf("R²Y = %v, want increasing within (0, 1]", r)
	}
}

func TestFitPLSToolErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		input map[string]any
		want  string
	}{
		{"constant response", map[string]any{"x_data": goldenX, "y_data": make([]float64, 11), "n_components": 1},
			"cannot fit a PLS component: Y has no variance left"},
		// Centred, y is orthogonal to both columns of X: nothing to fit.
		{"uncorrelated response", map[string]any{"x_data": [][]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}}, "y_data": []float64{1, 1, -1, -1}, "n_components": 1},
			"cannot fit a PLS component: what is left of X does not covary with what is left of Y"},
		{"constant predictors", map[string]any{"x_data": [][]float64{{1, 2}, {1, 2}, {1, 2}}, "y_data": []float64{1, 2, 3}, "n_components": 1},
			"cannot fit a PLS component: X has no variance left"},
		{"one response value", map[string]any{"x_data": goldenX[:3], "y_data": []any{1, nil, nil}, "n_components": 1},
			"y_data column 0 has only one value, so its standard deviation is undefined"},
		{"empty named X column", map[string]any{"x_data": [][]any{{1, nil}, {2, nil}, {3, nil}}, "y_data": []float64{1, 2, 3}, "n_components": 1, "x_column_names": []string{"a", "b"}},
			`x_data column "b" (index 1) has no values: every cell is missing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := runError(t, fitPLSDef(), tc.input)
			if e.Code != errcode.ToolError || e.Message != tc.want {
				t.Errorf("Run = %s %q, want tool_error %q", e.Code, e.Message, tc.want)
			}
		})
	}
}

func TestFitPLSCheck(t *testing.T) {
	t.Parallel()
	x3 := [][]float64{{1, 2}, {2, 1}, {4, 5}}
	runCheckCases(t, fitPLSDef(), []checkCase{
		{name: "flat y", input: map[string]any{"x_data": x3, "y_data": []float64{1, 2, 3}, "n_components": 1}},
		{name: "flat y with a missing value", input: `{"x_data": [[1,2],[2,1],[4,5]], "y_data": [1, null, 3], "n_components": 1}`},
		{name: "flat y starting with a missing value", input: `{"x_data": [[1,2],[2,1],[4,5]], "y_data": [null, 2, 3], "n_components": 1}`},
		{name: "y as rows", input: map[string]any{"x_data": x3, "y_data": [][]float64{{1, 2}, {2, 2}, {3, 1}}, "n_components": 1}},
		{name: "at the row cap", input: map[string]any{"x_data": filled(MaxMatrixRows, 2), "y_data": col(filled(MaxMatrixRows, 1), 0), "n_components": 1}},
		{name: "at the column caps", input: map[string]any{"x_data": filled(3, MaxMatrixCols), "y_data": filled(3, MaxMatrixCols), "n_components": 1}},
		{name: "empty rows", input: map[string]any{"x_data": [][]float64{{}, {}, {}}, "y_data": []float64{1, 2, 3}, "n_components": 1},
			wantCode: errcode.InputInvalid, wantMsg: "x_data must have at least one column"},
		{name: "too many columns", input: map[string]any{"x_data": filled(3, MaxMatrixCols+1), "y_data": []float64{1, 2, 3}, "n_components": 1},
			wantCode: errcode.InputTooLarge, wantMsg: "x_data has 501 columns; the cap is 500"},
		{name: "too many rows", input: map[string]any{"x_data": make([][]float64, MaxMatrixRows+1), "y_data": []float64{1, 2, 3}, "n_components": 1},
			wantCode: errcode.InputTooLarge, wantMsg: "x_data has 10001 rows; the cap is 10000"},
		{name: "too many responses", input: map[string]any{"x_data": x3, "y_data": [][]float64{make([]float64, 501), {1}, {2}}, "n_components": 1},
			wantCode: errcode.InputTooLarge, wantMsg: "y_data has 501 columns; the cap is 500"},
		{name: "ragged x", input: map[string]any{"x_data": [][]float64{{1, 2}, {2}, {4, 5}}, "y_data": []float64{1, 2, 3}, "n_components": 1},
			wantCode: errcode.InputInvalid, wantMsg: "x_data is ragged: row 0 has 2 values, row 1 has 1"},
		{name: "ragged y", input: map[string]any{"x_data": x3, "y_data": [][]float64{{1, 2}, {2}, {4, 5}}, "n_components": 1},
			wantCode: errcode.InputInvalid, wantMsg: "y_data is ragged: row 0 has 2 values, row 1 has 1"},
		{name: "y shorter than x", input: map[string]any{"x_data": x3, "y_data": []float64{1, 2}, "n_components": 1},
			wantCode: errcode.InputInvalid, wantMsg: "y_data has 2 rows but x_data has 3"},
		{name: "two rows", input: map[string]any{"x_data": x3[:2], "y_data": []float64{1, 2}, "n_components": 1},
			wantCode: errcode.InputInvalid, wantMsg: "x_data has 2 rows; at least 3 are needed"},
		{name: "y mixes numbers and rows", input: `{"x_data": [[1,2],[2,1],[4,5]], "y_data": [1, [2], 3], "n_components": 1}`,
			wantCode: errcode.InputInvalid, wantMsg: "cannot decode input: json: cannot unmarshal array into Go struct field fitPLSInput.y_data of type float64"},
		{name: "y rows then a number", input: `{"x_data": [[1,2],[2,1],[4,5]], "y_data": [[1], 2, [3]], "n_components": 1}`,
			wantCode: errcode.InputInvalid, wantMsg: "cannot decode input: json: cannot unmarshal number into Go struct field fitPLSInput.y_data of type tool.Vector"},
		{name: "string in x", input: `{"x_data": [[1,"2"],[2,1],[4,5]], "y_data": [1, 2, 3], "n_components": 1}`,
			wantCode: errcode.InputInvalid, wantMsg: "cannot decode input: json: cannot unmarshal string into Go struct field fitPLSInput.x_data of type float64"},
		{name: "no y", input: map[string]any{"x_data": x3, "n_components": 1},
			wantCode: errcode.InputInvalid, wantMsg: "y_data must have at least one row"},
		{name: "x names", input: map[string]any{"x_data": x3, "y_data": []float64{1, 2, 3}, "n_components": 1, "x_column_names": []string{"a"}},
			wantCode: errcode.InputInvalid, wantMsg: "x_column_names has 1 names but x_data has 2 columns"},
		{name: "y names", input: map[string]any{"x_data": x3, "y_data": []float64{1, 2, 3}, "n_components": 1, "y_column_names": []string{"a", "b"}},
			wantCode: errcode.InputInvalid, wantMsg: "y_column_names has 2 names but y_data has 1 columns"},
		{name: "fractional components", input: map[string]any{"x_data": x3, "y_data": []float64{1, 2, 3}, "n_components": 1.5},
			wantCode: errcode.InputInvalid, wantMsg: "n_components must be a positive integer, not 1.5"},
		{name: "unknown key", input: map[string]any{"x_data": x3, "y_data": []float64{1, 2, 3}, "n_components": 1, "scale": true},
			wantCode: errcode.InputInvalid, wantMsg: `cannot decode input: json: unknown field "scale"`},
	})
}

func TestFitPLSSchema(t *testing.T) {
	t.Parallel()
	runSchemaCases(t, fitPLSDef(), []schemaCase{
		{"flat y", `{"x_data": [[1,2],[3,4],[5,7]], "y_data": [1, 2, 3], "n_components": 1}`, true},
		{"y rows", `{"x_data": [[1,2],[3,4],[5,7]], "y_data": [[1,2],[2,3],[3,3]], "n_components": 1}`, true},
		{"missing cells", `{"x_data": [[1,null],[3,4],[5,7]], "y_data": [null, 2, 3], "n_components": 1}`, true},
		{"names", `{"x_data": [[1,2],[3,4],[5,7]], "y_data": [1, 2, 3], "n_components": 2, "x_column_names": ["a","b"], "y_column_names": ["y"]}`, true},
		{"no y", `{"x_data": [[1,2],[3,4],[5,7]], "n_components": 1}`, false},
		{"two y values", `{"x_data": [[1,2],[3,4],[5,7]], "y_data": [1, 2], "n_components": 1}`, false},
		{"y of strings", `{"x_data": [[1,2],[3,4],[5,7]], "y_data": ["a", "b", "c"], "n_components": 1}`, false},
		{"y an object", `{"x_data": [[1,2],[3,4],[5,7]], "y_data": {"a": 1}, "n_components": 1}`, false},
		{"y with empty rows", `{"x_data": [[1,2],[3,4],[5,7]], "y_data": [[],[],[]], "n_components": 1}`, false},
		{"two rows", `{"x_data": [[1,2],[3,4]], "y_data": [1, 2, 3], "n_components": 1}`, false},
		{"zero components", `{"x_data": [[1,2],[3,4],[5,7]], "y_data": [1, 2, 3], "n_components": 0}`, false},
		{"unknown key", `{"x_data": [[1,2],[3,4],[5,7]], "y_data": [1, 2, 3], "n_components": 1, "scale": false}`, false},
	})
}
