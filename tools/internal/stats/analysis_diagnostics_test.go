package stats

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Reference values: statsmodels 0.13.5 (durbin_watson, het_breuschpagan).

var (
	bpExog = [][]float64{
		{1.0, 0.57669, -0.196196}, {1.0, -0.188782, 0.898764}, {1.0, 0.68291, 1.145222},
		{1.0, -0.066517, -1.323528}, {1.0, 0.667248, -0.794642}, {1.0, 1.438523, 0.646903},
		{1.0, -0.675662, -1.99242}, {1.0, 0.203139, -0.46317}, {1.0, -0.463308, -0.097287},
		{1.0, 0.127268, 1.257015}, {1.0, -1.187195, 0.689404}, {1.0, -0.579302, -0.327213},
	}
	bpResid = []float64{-0.368576, -0.250195, 1.523529, -0.428025, -0.30368, 0.352589, -0.12077, -0.197284,
		-1.114067, -0.011521, -0.443581, 1.166128}
)

// exogColumns builds a matrix from the columns cols of bpExog, then the
// extra columns.
func exogColumns(cols []int, extra ...func(row []float64) float64) *mat.Dense {
	m := mat.NewDense(len(bpExog), len(cols)+len(extra), nil)
	for i, row := range bpExog {
		for j, c := range cols {
			m.Set(i, j, row[c])
		}
		for j, f := range extra {
			m.Set(i, len(cols)+j, f(row))
		}
	}
	return m
}

func TestDurbinWatson(t *testing.T) {
	t.Parallel()
	if got, want := DurbinWatson(bpResid), 2.1624081835124858; !near(got, want, 1e-14) {
		t.Errorf("DW = %.17g, statsmodels %.17g", got, want)
	}
	// Seed golden (seed-spec §6.4): the replicated 2² residuals.
	if got, want := DurbinWatson([]float64{0.5, 1, -0.5, 0.5, -0.5, -1, 0.5, -0.5}), 2.285714285714284; !near(got, want, 1e-14) {
		t.Errorf("DW = %.17g, want %.17g", got, want)
	}
	// Alternating residuals: strong negative autocorrelation, DW near 4.
	if got := DurbinWatson([]float64{1, -1, 1, -1, 1, -1}); !near(got, 20.0/6, 1e-15) {
		t.Errorf("alternating DW = %g, want 10/3", got)
	}
	if got := DurbinWatson([]float64{0, 0, 0}); !math.IsNaN(got) {
		t.Errorf("zero residuals DW = %g, want NaN", got)
	}
}

func TestBreuschPagan(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		exog  *mat.Dense
		lm, p float64
	}{
		{"with constant", exogColumns([]int{0, 1, 2}), 0.9153092596059778, 0.6327659769834961},
		// No constant column and none in the span: uncentred R².
		{"no constant", exogColumns([]int{1, 2}), 0.4654481787181237, 0.49508870623486056},
		// A duplicated column: the pseudo-inverse gives the same fit, but
		// the χ² degrees of freedom count columns (3, not 2).
		{"rank deficient", exogColumns([]int{0, 1, 2}, func(r []float64) float64 { return 2 * r[1] }),
			0.9153092596059818, 0.8217318486753147},
	}
	for _, tc := range cases {
		lm, p := BreuschPagan(bpResid, tc.exog)
		if !near(lm, tc.lm, 1e-10) || !near(p, tc.p, 1e-10) {
			t.Errorf("%s: LM %.17g p %.17g, statsmodels %.17g %.17g", tc.name, lm, p, tc.lm, tc.p)
		}
	}

	// Seed golden (seed-spec §6.4): replicated 2² with interactions gives
	// LM 8.0, p 0.04601170568923136.
	a := []float64{-1, 1, -1, 1, -1, 1, -1, 1}
	b := []float64{-1, -1, 1, 1, -1, -1, 1, 1}
	x := mat.NewDense(8, 4, nil)
	for i := range a {
		x.SetRow(i, []float64{1, a[i], b[i], a[i] * b[i]})
	}
	lm, p := BreuschPagan([]float64{0.5, 1, -0.5, 0.5, -0.5, -1, 0.5, -0.5}, x)
	if !near(lm, 8.0, 1e-12) || !near(p, 0.04601170568923136, 1e-10) {
		t.Errorf("2² replicated: LM %.17g p %.17g, want 8 and 0.04601170568923136", lm, p)
	}

	// Constant squared residuals: R² is 0/0.
	lm, p = BreuschPagan([]float64{1, -1, 1, -1, 1, -1, 1, -1}, x)
	if !math.IsNaN(lm) && !(lm <= 1e-12 && p >= 0.99) {
		t.Errorf("constant e²: LM %g p %g, want NaN (or no evidence)", lm, p)
	}
	// A single column leaves χ² without degrees of freedom.
	if _, p := BreuschPagan(bpResid, exogColumns([]int{0})); !math.IsNaN(p) {
		t.Errorf("intercept only: p = %g, want NaN", p)
	}
}

func TestSpansConstant(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		x    *mat.Dense
		want bool
	}{
		{"ones", exogColumns([]int{0, 1}), true},
		{"none", exogColumns([]int{1, 2}), false},
		{"zero column", exogColumns([]int{1}, func([]float64) float64 { return 0 }), false},
		// Two columns summing to 3 on every row: an implicit constant.
		{"implicit", exogColumns([]int{1}, func(r []float64) float64 { return 3 - r[1] }), true},
	}
	for _, tc := range cases {
		if got := SpansConstant(tc.x, nil); got != tc.want {
			t.Errorf("%s: SpansConstant = %v, want %v", tc.name, got, tc.want)
		}
		var svd mat.SVD
		if !svd.Factorize(tc.x, mat.SVDThin) {
			t.Fatalf("%s: SVD failed", tc.name)
		}
		if got := SpansConstant(tc.x, svd.Values(nil)); got != tc.want {
			t.Errorf("%s: SpansConstant with singular values = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLenth(t *testing.T) {
	t.Parallel()
	// Seed golden (seed-spec §6.4): the 2³ example, effects in patsy order.
	r := Lenth([]float64{52.0, -1.0, -12.0, 9.5, -30.5, -18.5, 24.5})
	if !near(r.PSE, 27.75, 1e-15) || !near(r.ME, 104.45441525088813, 1e-9) || !near(r.SME, 252.3867598786643, 1e-9) {
		t.Errorf("Lenth = %+v, want PSE 27.75, ME 104.45441525088813, SME 252.3867598786643", r)
	}
	// One large effect is trimmed out of the PSE: |e| = 1…15 and 100;
	// s₀ = 1.5·8.5, the trimmed median is 8, PSE = 12.
	e := []float64{100}
	for i := 1; i <= 15; i++ {
		e = append(e, float64(i))
	}
	if r := Lenth(e); r.PSE != 12 {
		t.Errorf("trimmed PSE = %g, want 12", r.PSE)
	}
	// All effects zero: PSE 0 (nothing is active, nothing divides by it).
	if r := Lenth([]float64{0, 0, 0}); r.PSE != 0 || r.ME != 0 {
		t.Errorf("zero effects: %+v", r)
	}
	if r := Lenth(nil); !math.IsNaN(r.PSE) {
		t.Errorf("no effects: %+v, want NaN", r)
	}
}
