package stats

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Residual diagnostics of a least-squares fit, as statsmodels computes them
// (statsmodels.stats.stattools.durbin_watson and
// statsmodels.stats.diagnostic.het_breuschpagan).

// DurbinWatson returns Σ(eᵢ − eᵢ₋₁)² / Σeᵢ², the Durbin–Watson statistic of
// the residuals e in run order: near 2 without first-order autocorrelation,
// towards 0 with positive and towards 4 with negative autocorrelation. It is
// NaN when every residual is 0 (0/0) and for an empty e.
func DurbinWatson(e []float64) float64 {
	var num, den float64
	for i, v := range e {
		den += v * v
		if i > 0 {
			d := v - e[i-1]
			num += d * d
		}
	}
	return num / den
}

// BreuschPagan returns Koenker's studentised Breusch–Pagan statistic
// LM = n·R² and its p-value, where R² is that of the least-squares
// regression of the squared residuals e² on the columns of exog (n rows, the
// fit's design matrix, intercept included), and the p-value is the upper tail
// of χ² with (columns − 1) degrees of freedom — het_breuschpagan(e, exog)
// with robust=True.
//
// The auxiliary regression is solved like statsmodels' OLS: through the
// pseudo-inverse (singular values below 1e-15 of the largest are dropped), so
// a rank-deficient exog is fine. R² is centred (1 − RSS/Σ(y − ȳ)²) when exog
// spans a constant — a constant non-zero column, or, failing that, a column
// space whose rank does not grow when a column of ones is added — and
// uncentred (1 − RSS/Σy²) otherwise, as statsmodels decides k_constant.
//
// LM is NaN when R² is (constant squared residuals give 0/0); a negative LM
// (only from rounding in such degenerate cases) has p = 1. The p-value is
// NaN with a single column, where χ² would have 0 degrees of freedom.
// len(e) must equal the rows of exog; BreuschPagan panics otherwise.
func BreuschPagan(e []float64, exog mat.Matrix) (lm, p float64) {
	n, k := exog.Dims()
	if len(e) != n {
		panic("stats: BreuschPagan: residuals and exog differ in length")
	}
	y := make([]float64, n)
	for i, v := range e {
		y[i] = v * v
	}
	fitted, ok := projectOnColumns(exog, y)
	if !ok {
		return math.NaN(), math.NaN()
	}
	var ssr, mean float64
	for i := range y {
		r := y[i] - fitted[i]
		ssr += r * r
		mean += y[i]
	}
	mean /= float64(n)
	var tss float64
	centred := SpansConstant(exog, nil)
	for _, v := range y {
		d := v
		if centred {
			d = v - mean
		}
		tss += d * d
	}
	r2 := 1 - ssr/tss
	lm = float64(n) * r2
	df := float64(k - 1)
	switch {
	case math.IsNaN(lm) || df <= 0:
		return lm, math.NaN()
	case lm < 0:
		return lm, 1
	}
	return lm, ChiSquareSurvival(lm, df)
}

// projectOnColumns returns the least-squares fitted values X·pinv(X)·y,
// computed as U_r·U_rᵀ·y from the thin SVD with singular values above
// pinvRcond·σ_max (statsmodels' pinv cut-off, declared in huber.go). ok is false when the SVD fails (non-finite input).
func projectOnColumns(x mat.Matrix, y []float64) (fitted []float64, ok bool) {
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDThin) {
		return nil, false
	}
	s := svd.Values(nil)
	var u mat.Dense
	svd.UTo(&u)
	n := len(y)
	fitted = make([]float64, n)
	if len(s) == 0 || !(s[0] > 0) {
		return fitted, true // X = 0 projects everything onto 0
	}
	cut := pinvRcond * s[0]
	for j, sv := range s {
		if sv <= cut {
			continue
		}
		var dot float64
		for i := 0; i < n; i++ {
			dot += u.At(i, j) * y[i]
		}
		for i := 0; i < n; i++ {
			fitted[i] += u.At(i, j) * dot
		}
	}
	return fitted, true
}

// SpansConstant reports whether statsmodels gives a model with design x a
// constant (k_constant = 1, its _handle_constant with hasconst=None): a
// column whose values are all equal and not 0, or, without one, a column
// space that already holds the vector of ones (numpy's matrix_rank of x and
// of [1, x] agree). sv, when not nil, are the singular values of x in
// decreasing order, which spares a factorisation of x.
func SpansConstant(x mat.Matrix, sv []float64) bool {
	n, k := x.Dims()
	for j := 0; j < k; j++ {
		first := x.At(0, j)
		equal := true
		for i := 1; i < n; i++ {
			if x.At(i, j) != first {
				equal = false
				break
			}
		}
		if equal && first != 0 {
			return true
		}
	}
	aug := mat.NewDense(n, k+1, nil)
	for i := 0; i < n; i++ {
		aug.Set(i, 0, 1)
		for j := 0; j < k; j++ {
			aug.Set(i, j+1, x.At(i, j))
		}
	}
	rank := MatrixRank(x)
	if sv != nil {
		rank = rankOf(sv, n, k)
	}
	return rank == MatrixRank(aug)
}

// MatrixRank returns numpy.linalg.matrix_rank(x): the number of singular
// values above σ_max·max(rows, cols)·ε, ε = 2⁻⁵². A matrix whose SVD fails
// (non-finite values) has rank 0.
func MatrixRank(x mat.Matrix) int {
	r, c := x.Dims()
	var svd mat.SVD
	if !svd.Factorize(x, mat.SVDNone) {
		return 0
	}
	return rankOf(svd.Values(nil), r, c)
}

// rankOf counts the singular values s (decreasing) of an r×c matrix above
// matrix_rank's tolerance σ_max·max(r, c)·ε.
func rankOf(s []float64, r, c int) int {
	if len(s) == 0 {
		return 0
	}
	tol := s[0] * float64(max(r, c)) * 0x1p-52
	rank := 0
	for _, v := range s {
		if v > tol {
			rank++
		}
	}
	return rank
}
