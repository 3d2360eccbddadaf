package multivariate

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// The regressions below are the seed's quick_regress, the building block of
// every NIPALS loop in this package (PCA and PLS, fitting and scoring rows
// with missing cells). Each sums over the present cells only, and a
// denominator of at most √eps gives a zero coefficient ([ratio]).

// regressColumns regresses every column of x on v: out[j] = Σ_i x_ij v_i /
// Σ_i v_i², both sums over the cells of column j that are present. den must
// have len(out) elements; it is scratch space, passed in so that the
// iteration loops do not allocate.
func regressColumns(x *mat.Dense, v, out, den []float64) {
	clear(out)
	clear(den)
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		vi := v[i]
		for j, xij := range x.RawRowView(i) {
			if !math.IsNaN(xij) {
				out[j] += vi * xij
				den[j] += vi * vi
			}
		}
	}
	for j := range out {
		out[j] = ratio(out[j], den[j])
	}
}

// regressRows regresses every row of x on v: out[i] = Σ_j x_ij v_j /
// Σ_j v_j², both sums over the cells of row i that are present.
//
// The seed chose between this and regressColumns from the array shapes, so
// with a square matrix it regressed columns where rows were meant; callers
// here always say which they mean.
func regressRows(x *mat.Dense, v, out []float64) {
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		var num, den float64
		for j, xij := range x.RawRowView(i) {
			if !math.IsNaN(xij) {
				num += v[j] * xij
				den += v[j] * v[j]
			}
		}
		out[i] = ratio(num, den)
	}
}

// subtractOuter deflates x in place: x ← x − t pᵀ. Missing (NaN) cells stay
// missing.
func subtractOuter(x *mat.Dense, t, p []float64) {
	for i, ti := range t {
		row := x.RawRowView(i)
		for j, pj := range p {
			row[j] -= ti * pj
		}
	}
}

// scoreStatistics derives what every latent-variable model reports about its
// N×A score matrix: the variance of each score column, tₐᵀtₐ/(N−1)
// (explained_variance), its square root (scaling_factor_for_scores), and
// Hotelling's T² of each row over all A components, Σₐ (t_ia/sₐ)².
//
// A component with no variance (a rank-deficient matrix fitted by SVD) gives
// 0/0 in T², NaN, exactly as the seed's numpy division does; the JSON shows
// null.
func scoreStatistics(scores *mat.Dense) (explainedVariance, scalingFactor, t2 []float64) {
	n, a := scores.Dims()
	explainedVariance = make([]float64, a)
	scalingFactor = make([]float64, a)
	for c := 0; c < a; c++ {
		col := scores.ColView(c)
		explainedVariance[c] = mat.Dot(col, col) / float64(n-1)
		scalingFactor[c] = math.Sqrt(explainedVariance[c])
	}
	t2 = make([]float64, n)
	for i := range t2 {
		t2[i] = hotellingsT2(scores.RawRowView(i), scalingFactor)
	}
	return explainedVariance, scalingFactor, t2
}

// hotellingsT2 is Σₐ (tₐ/sₐ)² for one row of scores t and the score standard
// deviations s.
func hotellingsT2(t, s []float64) float64 {
	var sum float64
	for c, tc := range t {
		z := tc / s[c]
		sum += z * z
	}
	return sum
}

// differences returns the successive differences of a cumulative series,
// starting with its first value: the per-component R² from the cumulative
// one.
func differences(cum []float64) []float64 {
	out := make([]float64, len(cum))
	for i, v := range cum {
		out[i] = v
		if i > 0 {
			out[i] -= cum[i-1]
		}
	}
	return out
}
