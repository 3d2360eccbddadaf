package stats

import (
	"math"
	"slices"
)

// MADNormalScale is the divisor that makes the median absolute deviation a
// consistent estimator of σ for normal data: Φ⁻¹(3/4), as scipy's
// median_abs_deviation(scale="normal") uses it.
const MADNormalScale = 0.6744897501960817

// MADRaw returns the median absolute deviation of the non-NaN values of x,
// median(|x − median(x)|), with the numpy median (the mean of the two middle
// values for an even count). It is NaN when x has no non-NaN value.
func MADRaw(x []float64) float64 {
	s := sortedNonNaN(x)
	if len(s) == 0 {
		return math.NaN()
	}
	med := MedianSorted(s)
	dev := make([]float64, len(s))
	for i, v := range s {
		dev[i] = math.Abs(v - med)
	}
	slices.Sort(dev)
	return MedianSorted(dev)
}

// MADNormal returns MADRaw(x) / MADNormalScale, the MAD scaled to estimate
// the standard deviation of normal data (scipy's scale="normal").
func MADNormal(x []float64) float64 {
	return MADRaw(x) / MADNormalScale
}

// snConstant is the asymptotic consistency constant of Sn for normal data
// (Rousseeuw and Croux 1993), to the four decimals the seed uses.
const snConstant = 1.1926

// snSmallSample are the seed's finite-sample factors c_n for n = 2…9. They are
// those of Rousseeuw and Croux (1993), which robustbase::Sn also uses; with
// the seed's plain medians they reproduce R for odd n only.
var snSmallSample = [...]float64{0.743, 1.851, 0.954, 1.351, 0.993, 1.198, 1.005, 1.131}

// Sn returns the Rousseeuw–Croux scale estimator of the non-NaN values of x,
// exactly as the seed defines it:
//
//	Sn = 1.1926 · c_n · median_i( median_j |x_i − x_j| )
//
// where both medians are numpy medians (the mean of the two middle values for
// an even count), the inner one runs over all j including j = i (the zero
// distance), and c_n is the seed's table for n = 2…9, n/(n − 0.9) for odd
// n > 9 and 1 for even n > 9. This is not robustbase::Sn, which uses low and
// high medians: the two agree for odd n only (the seed's tests document
// this). Sn is NaN for no values and 0 for one.
//
// The seed computes the n inner medians by brute force in O(n² log n). Here
// each inner median is a k-th smallest element of two sorted runs of
// distances (to the left and to the right of x_i in sorted order), found by
// bisection, so the whole estimate costs O(n log n) and gives the same
// floating-point result: the distances are the same differences and the
// medians pick and average the same elements.
func Sn(x []float64) float64 {
	s := sortedNonNaN(x)
	n := len(s)
	switch n {
	case 0:
		return math.NaN()
	case 1:
		return 0
	}
	inner := make([]float64, n)
	for i := range s {
		inner[i] = medianDistance(s, i)
	}
	slices.Sort(inner)
	return snConstant * MedianSorted(inner) * snFactor(n)
}

func snFactor(n int) float64 {
	switch {
	case n < 2:
		return 1
	case n <= 9:
		return snSmallSample[n-2]
	case n%2 == 1:
		return float64(n) / (float64(n) - 0.9)
	default:
		return 1
	}
}

// medianDistance returns the numpy median of |s[i] − s[j]| over all j
// (including j = i) for sorted s.
func medianDistance(s []float64, i int) float64 {
	n := len(s)
	if n%2 == 1 {
		return kthDistance(s, i, n/2)
	}
	return (kthDistance(s, i, n/2-1) + kthDistance(s, i, n/2)) / 2
}

// kthDistance returns the k-th smallest (0-based) of the n distances from
// s[i] to every element of sorted s. The smallest is the zero distance to
// itself; the others are the merge of two non-decreasing runs:
//
//	left[t]  = s[i] − s[i−1−t], t = 0…i−1
//	right[t] = s[i+1+t] − s[i], t = 0…n−i−2
func kthDistance(s []float64, i, k int) float64 {
	if k == 0 {
		return 0
	}
	k-- // rank within the merged runs
	a, b := i, len(s)-1-i
	left := func(t int) float64 { return s[i] - s[i-1-t] }
	right := func(t int) float64 { return s[i+1+t] - s[i] }
	// Find how many of the k+1 smallest come from the left run: the least
	// t with left(t) ≥ right(k−t), searched in the feasible range.
	lo, hi := max(0, k+1-b), min(a, k+1)
	for lo < hi {
		t := (lo + hi) / 2
		if left(t) < right(k-t) {
			lo = t + 1
		} else {
			hi = t
		}
	}
	t := lo
	switch {
	case t == 0:
		return right(k)
	case t == k+1:
		return left(k)
	default:
		return max(left(t-1), right(k-t))
	}
}
