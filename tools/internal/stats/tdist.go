package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// TQuantile returns the p-quantile of Student's t distribution with df
// degrees of freedom (scipy.stats.t.ppf(p, df)): −Inf at p = 0, +Inf at
// p = 1, and NaN when p is outside [0, 1] or NaN, or df is not positive.
// gonum's StudentsT.Quantile panics on a p outside [0, 1]; tools feed this
// with values computed from user input, so it must not.
func TQuantile(p, df float64) float64 {
	if !(p >= 0 && p <= 1) || !(df > 0) {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// TCDF returns the cumulative distribution function of Student's t with df
// degrees of freedom at x (scipy.stats.t.cdf(x, df)). It is NaN when x is NaN
// or df is not positive.
func TCDF(x, df float64) float64 {
	if math.IsNaN(x) || !(df > 0) {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(x)
}

// TSurvival returns 1 − TCDF(x, df), computed directly so that small upper
// tail probabilities keep their precision.
func TSurvival(x, df float64) float64 {
	if math.IsNaN(x) || !(df > 0) {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(x)
}
