package stats

import (
	"errors"
	"math"
	"math/bits"
	"slices"
)

// MaxRegressionPoints is the largest number of points a tool may hand to
// the O(N²) repeated-median slope: the seed's later max_regression_points
// cap (seed-spec §1.6, SEC-19). At the cap one slope takes about 25 million
// pairwise slopes; tools enforce it before the call is enqueued.
const MaxRegressionPoints = 5_000

// Errors of the repeated-median helpers. The messages follow the seed's
// assertions in repeated_median_slope.
var (
	// ErrLengthMismatch reports x and y of different lengths.
	ErrLengthMismatch = errors.New("stats: vectors x and y must have the same length")
	// ErrTooFewPoints reports fewer than three points.
	ErrTooFewPoints = errors.New("stats: more than two samples are required for the repeated-median slope")
)

// RepeatedMedianSlope returns Siegel's repeated-median slope of y on x, the
// seed's regression.methods.repeated_median_slope:
//
//	b = median_i ( median_{j ≠ i, x_j ≠ x_i} (y_j − y_i) / (x_j − x_i) )
//
// where both medians are numpy medians (the mean of the two middle values for
// an even count) that skip NaN, as the seed's nanmedian does. A pair with a
// missing (NaN) x or y takes no part; a point whose slopes are all undefined
// (every other x equal to its own) is skipped by the outer median. The slope
// is NaN when no point has a defined slope, for example when every x is the
// same. x and y are not modified.
//
// It returns ErrLengthMismatch when the lengths differ and ErrTooFewPoints
// when there are fewer than three points (counted before missing values are
// dropped, as the seed counts them). The cost is O(N²) time and O(N) memory:
// callers bound N (see MaxRegressionPoints). Each inner median is found by
// selection rather than sorting, so a 5,000-point slope takes a fraction of
// a second; selection picks the same elements a sort would, so the result
// is the seed's to the last bit.
func RepeatedMedianSlope(x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return math.NaN(), ErrLengthMismatch
	}
	if len(x) <= 2 {
		return math.NaN(), ErrTooFewPoints
	}
	xs, ys := CompletePairs(x, y)
	n := len(xs)
	slopes := make([]float64, 0, n)
	medians := make([]float64, 0, n)
	for i := range n {
		slopes = slopes[:0]
		for j := range n {
			den := xs[j] - xs[i]
			if j == i || den == 0 {
				continue
			}
			// NaN only from ∞ − ∞ (values near ±MaxFloat64): numpy's
			// nanmedian would skip it.
			if s := (ys[j] - ys[i]) / den; !math.IsNaN(s) {
				slopes = append(slopes, s)
			}
		}
		// An inner median is NaN when there are no slopes, or when the two
		// middle ones are −∞ and +∞; the outer nanmedian skips both.
		if m := medianSelect(slopes); !math.IsNaN(m) {
			medians = append(medians, m)
		}
	}
	return medianSelect(medians), nil
}

// RepeatedMedianIntercept returns the intercept that goes with a
// repeated-median slope: the numpy median of y − slope·x over the points
// where that is defined (NaN ones are skipped, the seed's nanmedian). It is
// NaN when slope is NaN or no point is complete. x and y must have the same
// length; the shorter length is used otherwise.
func RepeatedMedianIntercept(x, y []float64, slope float64) float64 {
	n := min(len(x), len(y))
	r := make([]float64, 0, n)
	for i := range n {
		if v := y[i] - slope*x[i]; !math.IsNaN(v) {
			r = append(r, v)
		}
	}
	return medianSelect(r)
}

// CompletePairs returns, in new slices and in their original order, the
// pairs (x[i], y[i]) in which neither value is NaN. x and y must have the
// same length; the shorter length is used otherwise.
func CompletePairs(x, y []float64) (xs, ys []float64) {
	n := min(len(x), len(y))
	xs, ys = make([]float64, 0, n), make([]float64, 0, n)
	for i := range n {
		if !math.IsNaN(x[i]) && !math.IsNaN(y[i]) {
			xs = append(xs, x[i])
			ys = append(ys, y[i])
		}
	}
	return xs, ys
}

// medianSelect returns the numpy median of a, which must hold no NaN, or NaN
// when a is empty. It reorders a. The two middle values of an even count
// are averaged as (lo + hi)/2, numpy's mean of two.
func medianSelect(a []float64) float64 {
	n := len(a)
	if n == 0 {
		return math.NaN()
	}
	k := n / 2
	hi := nthSmallest(a, k)
	if n%2 == 1 {
		return hi
	}
	// a[:k] now holds the k smallest values: the lower middle is their
	// largest.
	return (slices.Max(a[:k]) + hi) / 2
}

// nthSmallest reorders a (no NaN) so that a[k] is its k-th smallest value
// (0-based), a[:k] holds values ≤ a[k] and a[k+1:] values ≥ a[k], and returns
// a[k].
//
// It is a quickselect with a median-of-three pivot and a three-way partition
// (runs of equal values cost nothing), and it falls back to sorting the
// remaining range once the partitions stop shrinking fast enough: inputs come
// from untrusted callers, and a crafted order must not turn the O(N) average
// into the O(N²) worst case (introselect, Musser 1997).
func nthSmallest(a []float64, k int) float64 {
	lo, hi := 0, len(a) // the k-th smallest lies in a[lo:hi]
	budget := 2 * bits.Len(uint(len(a)))
	for hi-lo > 16 {
		if budget == 0 {
			break
		}
		budget--
		p := median3(a[lo], a[lo+(hi-lo)/2], a[hi-1])
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch v := a[i]; {
			case v < p:
				a[lt], a[i] = v, a[lt]
				lt++
				i++
			case v > p:
				gt--
				a[i], a[gt] = a[gt], v
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return p // a[lt:gt] all equal p
		}
	}
	slices.Sort(a[lo:hi])
	return a[k]
}

func median3(a, b, c float64) float64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}
