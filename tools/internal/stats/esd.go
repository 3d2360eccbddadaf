// Package stats holds the numerics shared by the tool families: numpy-style
// percentiles and medians, robust scale estimators, the generalized ESD
// outlier test and distribution helpers on top of gonum.
package stats

import (
	"errors"
	"fmt"
	"math"
)

// ESDResult is the outcome of a generalized ESD test.
type ESDResult struct {
	// Outliers are indices into the input, in detection order (not sorted).
	Outliers []int
	// R, Lambda and PValues hold, per step i = 1…k, the test statistic, the
	// critical value and the Grubbs-type p-value.
	R, Lambda, PValues []float64
}

// esdMinSpread is the smallest location-free spread (SD or scaled MAD) at
// which the ESD keeps testing: the seed's float32 machine epsilon. Below it
// the deviations cannot be studentized (0/0 or x/0).
const esdMinSpread = 1.1920929e-07

// GeneralizedESD runs Rosner's generalized extreme Studentized deviate test
// for up to maxOutliers outliers at significance alpha. NaN values are
// ignored (never reported). With robust set, the median and the normal-scaled
// MAD replace the mean and standard deviation.
//
// The procedure is the NIST e-handbook's (section 1.3.5.17.3), as the seed
// adopted it in its later fix. With N the number of non-NaN values, step
// i = 1…maxOutliers works on the n = N − i + 1 values left:
//
//	R_i = max |x − center| / spread                 (center, spread of those n values)
//	λ_i = (N−i)·t / √((N−i−1+t²)(N−i+1)),  t = t_{1−α/(2(N−i+1)), N−i−1}
//	p_i = min(1, n·(1 − T_{n−2}(√s))),     s = R_i²·n·(n−2) / ((n−1)² − R_i²·n), p_i = 0 if s ≤ 0
//
// and removes the value that attains R_i (the first such one in input
// order). The number of outliers is the largest i with R_i > λ_i, and the
// outliers are the values removed in steps 1…i. This differs from the seed,
// which stopped at the first crossing and computed p_i with N instead of the
// current n; the outlier lists agree whenever there is at most one
// crossing, and the p-values agree at step 1.
//
// If at some step the spread of the remaining values is below float32's
// machine epsilon (all equal, or, for the robust variant, more than half of
// them tied at the median), R_i cannot be formed: that step is recorded with
// p_i = NaN and R_i the degenerate maximum (NaN or +Inf), never counts as a
// crossing, and the test stops there. The seed kept looping without removing
// anything and could report index −1.
//
// The largest-crossing rule looks at every step, so maxOutliers should stay
// well below N (NIST: the upper bound is small relative to n). When a late
// step leaves only a handful of values, especially tied ones, R_i reaches
// the largest deviate possible for that size, (n−1)/√n, which exceeds λ_i:
// the 15 values 10.1, 10.3, …, 100.0 of the later seed's tool test give one
// outlier for maxOutliers = 5 but eleven for 13 (= N − 2).
//
// The Grubbs critical values need at least three values in every step, so
// maxOutliers must not exceed N − 2 (the later seed raises ValueError there
// too); callers that take a user's maximum clamp it with
// max(0, min(maxOutliers, N−2)) first. maxOutliers = 0 gives an empty result.
// alpha must lie in (0, 1).
func GeneralizedESD(x []float64, maxOutliers int, alpha float64, robust bool) (ESDResult, error) {
	if !(alpha > 0 && alpha < 1) {
		return ESDResult{}, fmt.Errorf("stats: ESD significance level %v is not in (0, 1)", alpha)
	}
	idx := make([]int, 0, len(x))
	for i, v := range x {
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	N := len(idx)
	switch {
	case maxOutliers < 0:
		return ESDResult{}, errors.New("stats: ESD maximum number of outliers is negative")
	case maxOutliers > N-2 && maxOutliers > 0:
		return ESDResult{}, fmt.Errorf("stats: ESD can test at most n−2 = %d outliers in %d values, not %d", max(N-2, 0), N, maxOutliers)
	}

	res := ESDResult{Outliers: []int{}}
	removed := make([]int, 0, maxOutliers)
	vals := make([]float64, 0, N)
	for i := 1; i <= maxOutliers; i++ {
		// The values still in play, in input order.
		vals = vals[:0]
		for _, j := range idx {
			vals = append(vals, x[j])
		}
		center, spread := esdLocationScale(vals, robust)
		g, at := math.NaN(), -1
		for k, v := range vals {
			r := math.Abs(v-center) / spread
			if !math.IsNaN(r) && (at < 0 || r > g) {
				g, at = r, k
			}
		}
		res.R = append(res.R, g)
		res.Lambda = append(res.Lambda, esdLambda(N, i, alpha))
		if !(spread > esdMinSpread) || at < 0 {
			res.PValues = append(res.PValues, math.NaN())
			break
		}
		res.PValues = append(res.PValues, grubbsPValue(g, len(vals)))
		removed = append(removed, idx[at])
		idx = append(idx[:at], idx[at+1:]...)
	}

	count := 0
	for i := range removed {
		if res.R[i] > res.Lambda[i] {
			count = i + 1
		}
	}
	res.Outliers = append(res.Outliers, removed[:count]...)
	return res, nil
}

// esdLocationScale returns the center and spread the ESD studentizes with:
// mean and SD (ddof 1), or median and normal-scaled MAD.
func esdLocationScale(v []float64, robust bool) (center, spread float64) {
	if robust {
		return NanMedian(v), MADNormal(v)
	}
	return NanMean(v), NanStd(v, 1)
}

// esdLambda is Rosner's critical value λ_i for step i of N values.
func esdLambda(N, i int, alpha float64) float64 {
	df := float64(N - i - 1)
	t := TQuantile(1-alpha/(2*float64(N-i+1)), df)
	return float64(N-i) * t / math.Sqrt((df+t*t)*(df+2))
}

// grubbsPValue is the seed's one-sided Grubbs p-value of the maximum
// studentized deviate g among n values: g is turned back into the t
// statistic it corresponds to and the tail is Bonferroni-multiplied by n.
func grubbsPValue(g float64, n int) float64 {
	fn := float64(n)
	s := g * g * fn * (2 - fn) / (g*g*fn - (fn-1)*(fn-1))
	if s <= 0 {
		return 0
	}
	return math.Min(fn*TSurvival(math.Sqrt(s), fn-2), 1)
}
