package multivariate

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// goldenX is the 11×6 X of the SIMCA-P comparison (seed-spec §6.2), on which
// the seed's fit_pca golden values were observed.
var goldenX = [][]float64{
	{41.1187, 21.2833, 21.1523, 0.2446, -0.0044, -0.131},
	{41.7755, 22.0978, 21.1653, 0.3598, 0.1622, -0.9325},
	{41.2568, 21.4873, 20.7407, 0.2536, 0.1635, -0.7467},
	{41.5469, 22.2043, 20.4518, 0.6317, 0.1997, -1.7525},
	{40.0234, 23.7399, 21.978, -0.0534, -0.0158, -1.7619},
	{39.9203, 21.9997, 21.5859, -0.1811, 0.089, -0.4138},
	{42.1886, 21.4891, 20.4427, 0.686, 0.1124, -1.0464},
	{42.1454, 20.3803, 18.2327, 0.6607, 0.1291, -2.1476},
	{42.272, 18.9725, 18.3763, 0.561, 0.0453, -0.5962},
	{41.49, 18.603, 17.9978, 0.4872, 0.1198, -0.6052},
	{41.5306, 19.1558, 18.2172, 0.6233, 0.1789, -0.9386},
}

// Golden values of fit_pca(data=goldenX, n_components=2), seed-spec §6.2 [obs].
// Per-observation T² for rows 0–2 and the scores of rows 0–2 come from the
// seed's pca_predict on the first three training rows, which reproduces the
// training values.
var (
	goldenExplainedVariance = []float64{3.39854437071157, 1.3858325667329383}
	goldenR2Cumulative      = []float64{0.5664240617852618, 0.7973961562407518}
	goldenR2PerComponent    = []float64{0.5664240617852618, 0.23097209445548994}
	goldenLoadings          = [][]float64{
		{0.47948386, -0.07957059},
		{-0.43255078, -0.47776971},
		{-0.48636223, -0.19287998},
		{0.50337379, -0.18748941},
		{0.29496300, -0.37295137},
		{-0.07783638, 0.74428283},
	}
	goldenMeans         = []float64{41.38802, 21.03755, 20.03097, 0.3884909, 0.1072455, -1.006582}
	goldenStds          = []float64{0.794243521620645, 1.5920067564954843, 1.5165224845619063, 0.29594306700629247, 0.07232124672095143, 0.6289364098510783}
	goldenScalingFactor = []float64{1.8435141362928493, 1.1772139001612827}
	goldenSPE           = []float64{0.99958087, 1.14782212, 1.04165027, 0.59624216, 1.43658612, 1.08971563, 1.15335948, 1.19584454, 0.96711136, 0.74527435, 0.94697032}
	goldenSPEExact      = map[int]float64{0: 0.9995808675158451, 1: 1.1478221226309204, 2: 1.0416502689537974, 3: 0.5962421561657713, 4: 1.4365861154239647}
	goldenT2            = map[int]float64{0: 2.227917196979, 1: 0.3511638484115463, 2: 0.0711895840229794, 3: 2.778391916502353, 4: 3.8734519273572454}
	goldenScores        = [][]float64{
		{-1.397432790849811, 1.513675915047559},
		{-0.2517757076597312, -0.6788263363020733},
		{-0.46119686061509513, -0.1091907447585786},
	}
	goldenT2Limit  = 10.318775100833333
	goldenSPELimit = 1.3946760337652222
)

// woldX is the 3×4 example of Wold, Esbensen and Geladi (1987), the seed's
// test_pca_wold_* cases.
var woldX = [][]float64{{3, 4, 2, 2}, {4, 3, 4, 3}, {5, 5, 6, 4}}

// goldenRel is the relative tolerance of the golden comparisons (seed-spec
// §6.2: about 1e-6 unless a case says otherwise). Where the golden value was
// printed to fewer digits, the tolerance also allows half a unit in its last
// printed place.
const goldenRel = 1e-6

// near reports whether got is within rel of want, relatively, or within abs
// absolutely (for printed values and values near zero).
func near(got, want, rel, abs float64) bool {
	if math.IsNaN(got) || math.IsNaN(want) {
		return math.IsNaN(got) && math.IsNaN(want)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	d := math.Abs(got - want)
	return d <= abs || d <= rel*math.Abs(want)
}

func assertSlice(t *testing.T, name string, got, want []float64, rel, abs float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s has %d values, want %d: %v", name, len(got), len(want), got)
	}
	for i := range want {
		if !near(got[i], want[i], rel, abs) {
			t.Errorf("%s[%d] = %.15g, want %.15g", name, i, got[i], want[i])
		}
	}
}

func assertMatrix(t *testing.T, name string, got *mat.Dense, want [][]float64, rel, abs float64) {
	t.Helper()
	r, c := got.Dims()
	if r != len(want) || c != len(want[0]) {
		t.Fatalf("%s is %d×%d, want %d×%d", name, r, c, len(want), len(want[0]))
	}
	for i := range want {
		for j := range want[i] {
			if g := got.At(i, j); !near(g, want[i][j], rel, abs) {
				t.Errorf("%s[%d][%d] = %.15g, want %.15g", name, i, j, g, want[i][j])
			}
		}
	}
}

// fit scales rows and fits an a-component model, failing the test on error.
func fit(t *testing.T, rows [][]float64, a int) (*pcaModel, scaling) {
	t.Helper()
	xs, sc, err := mcuv(rows, nil)
	if err != nil {
		t.Fatalf("mcuv: %v", err)
	}
	m, err := fitPCA(context.Background(), xs, a)
	if err != nil {
		t.Fatalf("fitPCA: %v", err)
	}
	return m, sc
}

func TestFitPCAGolden11x6(t *testing.T) {
	t.Parallel()
	m, sc := fit(t, goldenX, 2)
	if m.algorithm != algoSVD {
		t.Errorf("algorithm = %q, want %q for complete data", m.algorithm, algoSVD)
	}
	// The means in §6.2 are SIMCA's, printed to 7 significant digits.
	assertSlice(t, "means", sc.means, goldenMeans, goldenRel, 5e-6)
	assertSlice(t, "stds", sc.stds, goldenStds, goldenRel, 0)
	assertSlice(t, "explained_variance", m.explainedVariance, goldenExplainedVariance, goldenRel, 0)
	assertSlice(t, "scaling_factor_for_scores", m.scalingFactor, goldenScalingFactor, goldenRel, 0)
	assertSlice(t, "r2_cumulative", m.r2Cumulative, goldenR2Cumulative, goldenRel, 0)
	assertSlice(t, "r2_per_component", m.r2PerComponent, goldenR2PerComponent, goldenRel, 0)
	assertMatrix(t, "loadings", m.loadings, goldenLoadings, goldenRel, 5e-9)
	assertSlice(t, "spe_values", m.spe, goldenSPE, goldenRel, 5e-9)
	for i, want := range goldenSPEExact {
		if !near(m.spe[i], want, goldenRel, 0) {
			t.Errorf("spe[%d] = %.15g, want %.15g", i, m.spe[i], want)
		}
	}
	for i, want := range goldenT2 {
		if !near(m.t2[i], want, goldenRel, 0) {
			t.Errorf("t2[%d] = %.15g, want %.15g", i, m.t2[i], want)
		}
	}
	top := mat.DenseCopyOf(m.scores.Slice(0, 3, 0, 2))
	assertMatrix(t, "scores[:3]", top, goldenScores, goldenRel, 0)

	if got := t2Limit(0.95, m.a, m.n); !near(got, goldenT2Limit, goldenRel, 0) {
		t.Errorf("t2Limit = %.17g, want %.17g", got, goldenT2Limit)
	}
	if got := speLimit(m.spe, 0.95); !near(got, goldenSPELimit, goldenRel, 0) {
		t.Errorf("speLimit = %.17g, want %.17g", got, goldenSPELimit)
	}
}

func TestFitPCAGoldenWold(t *testing.T) {
	t.Parallel()
	m, sc := fit(t, woldX, 2)
	assertSlice(t, "means", sc.means, []float64{4, 4, 4, 3}, 1e-12, 0)
	assertSlice(t, "stds", sc.stds, []float64{1, 1, 2, 1}, 1e-12, 0)
	// The tool's loadings (§6.2 [obs, tool]), printed to 7 decimals.
	assertMatrix(t, "loadings", m.loadings, [][]float64{
		{0.5409758, -0.2016891},
		{0.3493358, 0.9369976},
		{0.5409758, -0.2016891},
		{0.5409758, -0.2016891},
	}, goldenRel, 5e-8)
	assertSlice(t, "explained_variance", m.explainedVariance, []float64{3.3228756555322945, 0.6771243444677045}, goldenRel, 0)
	assertSlice(t, "r2_cumulative", m.r2Cumulative, []float64{0.8307189138830738, 1.0}, goldenRel, 0)
	// The paper's R² per component, [0.831, 0.169] to 3 decimals.
	assertSlice(t, "r2_per_component", m.r2PerComponent, []float64{0.831, 0.169}, 0, 5e-4)
	if got := t2Limit(0.95, m.a, m.n); !near(got, 1064.0, goldenRel, 0) {
		t.Errorf("t2Limit = %.17g, want 1064", got)
	}
}

// TestNIPALSCompleteMatchesSVD runs the missing-data algorithm on complete
// data, where it must converge to the SVD's answer: loadings, scores and all
// derived values agree to about 1e-6.
func TestNIPALSCompleteMatchesSVD(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rows [][]float64
		a    int
	}{
		{"golden 11x6, A=2", goldenX, 2},
		{"golden 11x6, A=4", goldenX, 4},
		{"wold 3x4, A=2", woldX, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svd, _ := fit(t, tc.rows, tc.a)
			xs, _, err := mcuv(tc.rows, nil)
			if err != nil {
				t.Fatal(err)
			}
			nip := &pcaModel{n: svd.n, k: svd.k, a: tc.a, algorithm: algoNIPALS}
			if err := nip.fitNIPALS(context.Background(), xs); err != nil {
				t.Fatal(err)
			}
			nip.finish()
			for c, it := range nip.iterations {
				if it > nipalsMaxIter {
					t.Errorf("component %d did not converge in %d iterations", c+1, it)
				}
			}
			const tol = 1e-6
			assertMatrix(t, "loadings", nip.loadings, rowsOf(svd.loadings), tol, tol)
			assertMatrix(t, "scores", nip.scores, rowsOf(svd.scores), tol, tol)
			assertSlice(t, "explained_variance", nip.explainedVariance, svd.explainedVariance, tol, tol)
			assertSlice(t, "r2_cumulative", nip.r2Cumulative, svd.r2Cumulative, tol, tol)
			assertSlice(t, "spe", nip.spe, svd.spe, tol, tol)
			assertSlice(t, "t2", nip.t2, svd.t2, tol, tol)
		})
	}
}

// TestNIPALSMissing blanks two cells of the golden X. The fit must switch to
// NIPALS, converge, keep every output finite, skip the missing cells in the
// scaling and stay close to the complete-data model: two cells out of 66 move
// the loadings by less than 0.1 (the largest shift, 0.077, is in the second
// component's weight on column 4, where one of the cells was removed).
func TestNIPALSMissing(t *testing.T) {
	t.Parallel()
	rows := make([][]float64, len(goldenX))
	for i := range goldenX {
		rows[i] = append([]float64(nil), goldenX[i]...)
	}
	rows[1][2] = math.NaN()
	rows[7][4] = math.NaN()

	xs, sc, err := mcuv(rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(xs.At(1, 2)) || !math.IsNaN(xs.At(7, 4)) {
		t.Errorf("missing cells were filled in by scaling: %v, %v", xs.At(1, 2), xs.At(7, 4))
	}
	// Column 2's mean and SD are those of its ten present values.
	var present []float64
	for i := range goldenX {
		if i != 1 {
			present = append(present, goldenX[i][2])
		}
	}
	var sum float64
	for _, v := range present {
		sum += v
	}
	mean := sum / float64(len(present))
	var ss float64
	for _, v := range present {
		ss += (v - mean) * (v - mean)
	}
	if !near(sc.means[2], mean, 1e-12, 0) || !near(sc.stds[2], math.Sqrt(ss/float64(len(present)-1)), 1e-12, 0) {
		t.Errorf("column 2 scaling = (%v, %v), want the mean and SD of its present values", sc.means[2], sc.stds[2])
	}

	m, err := fitPCA(context.Background(), xs, 2)
	if err != nil {
		t.Fatal(err)
	}
	if m.algorithm != algoNIPALS {
		t.Fatalf("algorithm = %q, want %q", m.algorithm, algoNIPALS)
	}
	for c, it := range m.iterations {
		if it > nipalsMaxIter {
			t.Errorf("component %d did not converge in %d iterations", c+1, it)
		}
	}
	finite := func(name string, v []float64) {
		for i, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				t.Errorf("%s[%d] = %v, want a finite value", name, i, x)
			}
		}
	}
	finite("scores", m.scores.RawMatrix().Data)
	finite("loadings", m.loadings.RawMatrix().Data)
	finite("spe", m.spe)
	finite("t2", m.t2)
	finite("explained_variance", m.explainedVariance)
	for c := 0; c < m.a; c++ {
		col := m.loadings.ColView(c)
		if n := mat.Norm(col, 2); !near(n, 1, 1e-12, 0) {
			t.Errorf("loading %d has norm %v, want 1", c+1, n)
		}
	}

	ref, _ := fit(t, goldenX, 2)
	assertMatrix(t, "loadings vs complete data", m.loadings, rowsOf(ref.loadings), 0, 0.1)
	assertSlice(t, "r2_cumulative vs complete data", m.r2Cumulative, ref.r2Cumulative, 0, 0.03)
	assertSlice(t, "explained_variance vs complete data", m.explainedVariance, ref.explainedVariance, 0.1, 0)
}

// TestNIPALSScoreStepUsesRows pins down the fix of the seed's shape-driven
// regression. On a square matrix the seed regressed the columns of X on p
// for the score step; the scores must instead solve the row regression
// t_i = Σ_j p_j x_ij / Σ_j p_j² over each row's present cells.
func TestNIPALSScoreStepUsesRows(t *testing.T) {
	t.Parallel()
	rows := [][]float64{
		{1, 2, 0, 5, 3, 1},
		{2, 1, 1, 4, 4, 2},
		{3, 5, 2, 2, 1, 3},
		{4, 3, 5, 1, 2, 5},
		{5, 6, 4, 0, 0, 4},
		{6, 4, 6, 3, 5, 6},
	}
	rows[2][4] = math.NaN()
	xs, _, err := mcuv(rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := fitPCA(context.Background(), xs, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		var num, den float64
		for j := 0; j < 6; j++ {
			if x := xs.At(i, j); !math.IsNaN(x) {
				num += m.loadings.At(j, 0) * x
				den += m.loadings.At(j, 0) * m.loadings.At(j, 0)
			}
		}
		if got, want := m.scores.At(i, 0), num/den; !near(got, want, 1e-6, 1e-7) {
			t.Errorf("score[%d] = %.10g, want the row regression %.10g", i, got, want)
		}
	}
}

func TestSignConvention(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		rows    [][]float64
		missing bool
	}{
		{"svd", goldenX, false},
		{"nipals", [][]float64{{1, 4, 2}, {2, 2, math.NaN()}, {3, 1, 5}, {4, 0, 6}, {6, 1, 7}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, _ := fit(t, tc.rows, 2)
			if got := m.algorithm == algoNIPALS; got != tc.missing {
				t.Fatalf("algorithm = %q", m.algorithm)
			}
			for c := 0; c < m.a; c++ {
				col := m.loadings.ColView(c)
				if v := col.AtVec(argMaxAbs(col)); v <= 0 {
					t.Errorf("loading %d: largest-magnitude element is %v, want positive", c+1, v)
				}
			}
		})
	}
}

func TestNIPALSNoVarianceLeft(t *testing.T) {
	t.Parallel()
	// A constant column scales to zeros, so once the first component has
	// taken the other column (which has a missing cell, so NIPALS runs)
	// nothing is left for a second.
	rows := [][]float64{{1, 5}, {2, 5}, {math.NaN(), 5}, {4, 5}}
	xs, _, err := mcuv(rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = fitPCA(context.Background(), xs, 2)
	if err == nil {
		t.Fatal("fitPCA succeeded, want a no-variance-left error")
	}
	if got, want := err.Error(), "tool_error: there is no variance left in the data: cannot compute component 2 of 2"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}

func TestNIPALSCancelled(t *testing.T) {
	t.Parallel()
	rows := [][]float64{{1, 2}, {2, 1}, {3, math.NaN()}, {4, 3}}
	xs, _, err := mcuv(rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fitPCA(ctx, xs, 1); err != context.Canceled {
		t.Errorf("fitPCA on a cancelled context = %v, want %v", err, context.Canceled)
	}
}

func TestMCUV(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	for _, tc := range []struct {
		name      string
		rows      [][]float64
		names     []string
		wantMeans []float64
		wantStds  []float64
		wantErr   string
	}{
		{
			name:      "seed scale_data case",
			rows:      [][]float64{{1, 10}, {2, 20}, {3, 30}, {4, 40}},
			wantMeans: []float64{2.5, 25},
			wantStds:  []float64{1.2909944487358056, 12.909944487358056},
		},
		{
			name:      "constant column keeps scale 1",
			rows:      [][]float64{{1, 7}, {2, 7}, {3, 7}},
			wantMeans: []float64{2, 7},
			wantStds:  []float64{1, 1},
		},
		{
			name:      "missing cells are skipped",
			rows:      [][]float64{{1, nan}, {2, 3}, {nan, 5}},
			wantMeans: []float64{1.5, 4},
			wantStds:  []float64{math.Sqrt(0.5), math.Sqrt(2)},
		},
		{
			name:    "all-missing column",
			rows:    [][]float64{{1, nan}, {2, nan}, {3, nan}},
			names:   []string{"a", "b"},
			wantErr: `tool_error: column "b" (index 1) has no values: every cell is missing`,
		},
		{
			name:    "single-value column",
			rows:    [][]float64{{nan, 1}, {2, 1}, {nan, 1}},
			wantErr: "tool_error: column 0 has only one value, so its standard deviation is undefined",
		},
		{
			name:    "overflowing column",
			rows:    [][]float64{{1e308, 1}, {-1e308, 2}, {1e308, 3}},
			wantErr: "tool_error: column 0 has values too large to scale",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			xs, sc, err := mcuv(tc.rows, tc.names)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertSlice(t, "means", sc.means, tc.wantMeans, 1e-15, 0)
			assertSlice(t, "stds", sc.stds, tc.wantStds, 1e-15, 0)
			for i, row := range tc.rows {
				for j, v := range row {
					want := (v - tc.wantMeans[j]) / tc.wantStds[j]
					if got := xs.At(i, j); !near(got, want, 1e-15, 0) {
						t.Errorf("xs[%d][%d] = %v, want %v", i, j, got, want)
					}
				}
			}
		})
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"t2 golden 11x6", t2Limit(0.95, 2, 11), goldenT2Limit},
		{"t2 wold", t2Limit(0.95, 2, 3), 1064},
		{"t2 as many components as rows", t2Limit(0.95, 3, 3), math.Inf(1)},
		{"spe golden 11x6", speLimit(goldenSPE, 0.95), goldenSPELimit},
		// All SPE values equal: no spread, so the limit is their value.
		{"spe without spread", speLimit([]float64{2, 2, 2, 2}, 0.95), 2},
		{"spe perfect fit", speLimit([]float64{0, 0, 0}, 0.95), 0},
		// Squares that overflow: NaN, not a χ² quantile with NaN degrees
		// of freedom (which never returns).
		{"spe overflowing", speLimit([]float64{1, 2, 1e200}, 0.95), math.NaN()},
		{"spe all overflowing", speLimit([]float64{1e200, 1e200, 1e200}, 0.95), math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The golden SPE values are printed to 8 decimals, which moves
			// the SPE limit by about 1e-8.
			if !near(tc.got, tc.want, goldenRel, 0) {
				t.Errorf("got %.17g, want %.17g", tc.got, tc.want)
			}
		})
	}
	if lo, hi := t2Limit(0.95, 2, 40), t2Limit(0.99, 2, 40); !(hi > lo) {
		t.Errorf("99%% T² limit %v is not above the 95%% limit %v", hi, lo)
	}
	if lo, hi := speLimit(goldenSPE, 0.95), speLimit(goldenSPE, 0.99); !(hi > lo) {
		t.Errorf("99%% SPE limit %v is not above the 95%% limit %v", hi, lo)
	}
}

// rowsOf returns x as a slice of rows.
func rowsOf(x *mat.Dense) [][]float64 {
	r, c := x.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = make([]float64, c)
		copy(out[i], x.RawRowView(i))
	}
	return out
}
