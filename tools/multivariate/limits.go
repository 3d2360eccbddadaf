package multivariate

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// t2Limit is the Hotelling's T² limit of an a-component model fitted to n
// rows, at confidence cl:
//
//	A(N−1)(N+1)/(N(N−A)) · F⁻¹(cl; A, N−A)
//
// With as many components as rows the F distribution has no denominator
// degrees of freedom and the limit is +Inf, as in the seed (null in JSON).
func t2Limit(cl float64, a, n int) float64 {
	if a >= n {
		return math.Inf(1)
	}
	fa, fn := float64(a), float64(n)
	f := distuv.F{D1: fa, D2: fn - fa}
	return fa * (fn - 1) * (fn + 1) / (fn * (fn - fa)) * f.Quantile(cl)
}

// speLimit is the limit for the seed's SPE values (square roots of residual
// sums of squares) at confidence cl, by Box's (1954) approximation: the
// squared values v are taken as g·χ²(h) with g = var(v)/(2·mean(v)) and
// h = 2·mean(v)²/var(v) (var with ddof = 1), and the limit is reported back
// on the square-root scale, √(g·χ²⁻¹(cl; h)).
//
// When the squared values have (almost) no spread or no size, as after a
// perfect fit, g and h are 0/0 or ∞; the seed then returned NaN. This port
// returns √mean(v), the later upstream fix (SEC-21): with nothing to bound,
// anything above the centre is out of family.
//
// SPE values so large that their squares overflow (possible only in a
// model_params object written by hand, since fitted SPE values come from
// scaled data) give NaN, null in JSON, rather than a χ² quantile with NaN or
// zero degrees of freedom, which gonum answers by looping forever or
// panicking.
func speLimit(spe []float64, cl float64) float64 {
	n := float64(len(spe))
	var mean float64
	for _, s := range spe {
		mean += s * s
	}
	mean /= n
	var ss float64
	for _, s := range spe {
		d := s*s - mean
		ss += d * d
	}
	variance := ss / (n - 1)
	if variance <= epsSqrt || mean <= epsSqrt {
		return math.Sqrt(mean)
	}
	g := variance / (2 * mean)
	h := 2 * mean * mean / variance
	if !(h > 0) || math.IsInf(h, 0) || !(g > 0) || math.IsInf(g, 0) {
		return math.NaN()
	}
	return math.Sqrt(distuv.ChiSquared{K: h}.Quantile(cl) * g)
}
