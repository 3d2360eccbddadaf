package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// FSurvival returns the upper tail P(F > f) of the F distribution with d1
// and d2 degrees of freedom (scipy.stats.f.sf(f, d1, d2)), computed from the
// regularized incomplete beta function as I_{d2/(d2 + d1·f)}(d2/2, d1/2) so
// that small p-values keep their precision (gonum's F.Survival is 1 − CDF).
// It is 1 for f ≤ 0, 0 for f = +Inf, and NaN when f is NaN or a degree of
// freedom is not positive (or NaN).
func FSurvival(f, d1, d2 float64) float64 {
	switch {
	case math.IsNaN(f) || !(d1 > 0) || !(d2 > 0):
		return math.NaN()
	case f <= 0:
		return 1
	case math.IsInf(f, 1):
		return 0
	case math.IsInf(d2, 1) || math.IsInf(d1, 1):
		return math.NaN()
	}
	return mathext.RegIncBeta(d2/2, d1/2, d2/(d2+d1*f))
}

// ChiSquareSurvival returns the upper tail P(X > x) of the χ² distribution
// with k degrees of freedom (scipy.stats.chi2.sf(x, k)): 1 for x ≤ 0, NaN
// when x is NaN or k is not positive.
func ChiSquareSurvival(x, k float64) float64 {
	switch {
	case math.IsNaN(x) || !(k > 0) || math.IsInf(k, 1):
		return math.NaN()
	case x <= 0:
		return 1
	case math.IsInf(x, 1):
		return 0
	}
	return mathext.GammaIncRegComp(k/2, x/2)
}
