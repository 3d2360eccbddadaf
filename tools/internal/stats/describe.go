package stats

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
)

// The helpers in this file follow numpy's nan-functions (nanmean, nanvar,
// nanmedian, nanpercentile): NaN marks a missing value and is skipped, and an
// input with no values left gives NaN rather than an error, so that callers
// decide how to report "no data".

// DropNaN returns the non-NaN values of x, in their original order, in a new
// slice. ±Inf are kept: they are values, not missing ones.
func DropNaN(x []float64) []float64 {
	out := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

// Count returns the number of non-NaN values in x.
func Count(x []float64) int {
	n := 0
	for _, v := range x {
		if !math.IsNaN(v) {
			n++
		}
	}
	return n
}

// sortedNonNaN returns the non-NaN values of x sorted ascending, in a new slice.
func sortedNonNaN(x []float64) []float64 {
	s := DropNaN(x)
	slices.Sort(s)
	return s
}

// NanMean returns the mean of the non-NaN values of x, or NaN if there are none.
func NanMean(x []float64) float64 {
	v := DropNaN(x)
	if len(v) == 0 {
		return math.NaN()
	}
	return stat.Mean(v, nil)
}

// NanVar returns the variance of the non-NaN values of x with ddof degrees of
// freedom removed from the divisor (0: population, 1: sample), like
// numpy.nanvar. It is NaN when n − ddof ≤ 0.
func NanVar(x []float64, ddof int) float64 {
	v := DropNaN(x)
	n := len(v)
	if n-ddof <= 0 {
		return math.NaN()
	}
	// gonum's corrected two-pass algorithm; rescaled from the population
	// divisor n to n − ddof.
	_, pop := stat.PopMeanVariance(v, nil)
	return pop * float64(n) / float64(n-ddof)
}

// NanStd returns the square root of NanVar(x, ddof).
func NanStd(x []float64, ddof int) float64 {
	return math.Sqrt(NanVar(x, ddof))
}

// NanMin returns the smallest non-NaN value of x, or NaN if there is none.
func NanMin(x []float64) float64 {
	m := math.NaN()
	for _, v := range x {
		if !math.IsNaN(v) && (math.IsNaN(m) || v < m) {
			m = v
		}
	}
	return m
}

// NanMax returns the largest non-NaN value of x, or NaN if there is none.
func NanMax(x []float64) float64 {
	m := math.NaN()
	for _, v := range x {
		if !math.IsNaN(v) && (math.IsNaN(m) || v > m) {
			m = v
		}
	}
	return m
}

// MedianSorted returns the median of s, which must be sorted ascending and
// hold no NaN: the middle value, or the mean of the two middle values when
// len(s) is even (numpy.median). An empty s gives NaN.
//
// gonum's stat.Quantile(0.5, stat.Empirical, …) returns the lower middle
// value instead, which is why this helper exists.
func MedianSorted(s []float64) float64 {
	n := len(s)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		return s[n/2]
	default:
		return (s[n/2-1] + s[n/2]) / 2
	}
}

// NanMedian returns the median of the non-NaN values of x (numpy.nanmedian),
// or NaN if there are none. x is not modified.
func NanMedian(x []float64) float64 {
	return MedianSorted(sortedNonNaN(x))
}

// PercentileSorted returns the p-th percentile (0 ≤ p ≤ 100) of s, which must
// be sorted ascending and hold no NaN, by linear interpolation between the
// two nearest ranks: numpy's default method "linear", R's type 7. An empty s
// gives NaN; p outside [0, 100] is clamped.
//
// gonum's stat.Quantile(p, stat.LinInterp, …) is R's type 4, which differs
// from numpy for every p that does not fall on a rank.
func PercentileSorted(s []float64, p float64) float64 {
	n := len(s)
	if n == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	// numpy: virtual index (n−1)·q with q = p/100, floor for the lower rank,
	// both ranks clipped to the array.
	h := float64(n-1) * (p / 100)
	lo := math.Floor(h)
	t := h - lo
	i := clampIndex(lo, n)
	j := clampIndex(lo+1, n)
	if i == j {
		return s[i]
	}
	return lerp(s[i], s[j], t)
}

func clampIndex(f float64, n int) int {
	switch {
	case f < 0:
		return 0
	case f > float64(n-1):
		return n - 1
	default:
		return int(f)
	}
}

// lerp interpolates the way numpy's _lerp does: from a for t < 0.5 and from b
// for t ≥ 0.5, so that the result is exact at both ends and monotone.
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}

// NanPercentiles returns the percentiles ps (each in [0, 100]) of the non-NaN
// values of x, as numpy.nanpercentile(x, ps) with the default linear method.
// They are all NaN if x has no non-NaN value. x is not modified.
func NanPercentiles(x []float64, ps ...float64) []float64 {
	s := sortedNonNaN(x)
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = PercentileSorted(s, p)
	}
	return out
}
