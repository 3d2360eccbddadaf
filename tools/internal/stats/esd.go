// Package stats holds the numerics shared by the tool families: numpy-style
// percentiles and medians, robust scale estimators, the generalized ESD
// outlier test and distribution helpers on top of gonum.
package stats

// ESDResult is the outcome of a generalized ESD test.
type ESDResult struct {
	// Outliers are indices into the input, in detection order (not sorted).
	Outliers []int
	// R, Lambda and PValues hold, per step i = 1…k, the test statistic, the
	// critical value and the Grubbs-type p-value.
	R, Lambda, PValues []float64
}

// GeneralizedESD runs Rosner's generalized extreme Studentized deviate test
// for up to maxOutliers outliers at significance alpha. NaN values are
// ignored (never reported). With robust set, the median and the normal-scaled
// MAD replace the mean and standard deviation.
func GeneralizedESD(x []float64, maxOutliers int, alpha float64, robust bool) (ESDResult, error) {
	panic("stats.GeneralizedESD: not implemented yet")
}
