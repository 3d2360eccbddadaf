package stats

import "math"

// Residual normality statistics of statsmodels' OLS summary: scipy's biased
// skewness and kurtosis, D'Agostino–Pearson's omnibus test
// (scipy.stats.normaltest through statsmodels' omni_normtest) and
// statsmodels' jarque_bera (scipy 1.10.1, statsmodels 0.13.5).

// moments returns the mean and the central moments m2, m3, m4 of x (means
// of the powers of the deviations, numpy's order of operations).
func moments(x []float64) (mean, m2, m3, m4 float64) {
	n := float64(len(x))
	for _, v := range x {
		mean += v
	}
	mean /= n
	for _, v := range x {
		d := v - mean
		d2 := d * d
		m2 += d2
		m3 += d2 * d
		m4 += d2 * d2
	}
	return mean, m2 / n, m3 / n, m4 / n
}

// degenerate is scipy's test for data without spread: the second moment at
// most (1e-15·mean)², in which case skewness and kurtosis are NaN.
func degenerate(mean, m2 float64) bool {
	r := 1e-15 * mean
	return m2 <= r*r
}

// Skew returns the biased sample skewness m3/m2^1.5 (scipy.stats.skew with
// bias=True): NaN for data without spread or an empty x.
func Skew(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	mean, m2, m3, _ := moments(x)
	if degenerate(mean, m2) {
		return math.NaN()
	}
	return m3 / math.Pow(m2, 1.5)
}

// Kurtosis returns the biased Pearson kurtosis m4/m2² (scipy.stats.kurtosis
// with fisher=False, bias=True; 3 for normal data): NaN for data without
// spread or an empty x.
func Kurtosis(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	mean, m2, _, m4 := moments(x)
	if degenerate(mean, m2) {
		return math.NaN()
	}
	return m4 / (m2 * m2)
}

// SkewTestZ returns the z-score of D'Agostino's skewness test
// (scipy.stats.skewtest). It needs at least 8 values and is NaN otherwise.
func SkewTestZ(x []float64) float64 {
	n := float64(len(x))
	if len(x) < 8 {
		return math.NaN()
	}
	b2 := Skew(x)
	y := b2 * math.Sqrt(((n+1)*(n+3))/(6.0*(n-2)))
	beta2 := 3.0 * (n*n + 27*n - 70) * (n + 1) * (n + 3) / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9))
	w2 := -1 + math.Sqrt(2*(beta2-1))
	delta := 1 / math.Sqrt(0.5*math.Log(w2))
	alpha := math.Sqrt(2.0 / (w2 - 1))
	if y == 0 {
		y = 1
	}
	return delta * math.Log(y/alpha+math.Sqrt((y/alpha)*(y/alpha)+1))
}

// KurtosisTestZ returns the z-score of Anscombe and Glynn's kurtosis test
// (scipy.stats.kurtosistest). It needs at least 5 values and is NaN
// otherwise (scipy warns below 20 but computes).
func KurtosisTestZ(x []float64) float64 {
	n := float64(len(x))
	if len(x) < 5 {
		return math.NaN()
	}
	b2 := Kurtosis(x)
	e := 3.0 * (n - 1) / (n + 1)
	varb2 := 24.0 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1.) * (n + 3) * (n + 5))
	z := (b2 - e) / math.Sqrt(varb2)
	sqrtbeta1 := 6.0 * (n*n - 5*n + 2) / ((n + 7) * (n + 9)) * math.Sqrt((6.0*(n+3)*(n+5))/(n*(n-2)*(n-3)))
	a := 6.0 + 8.0/sqrtbeta1*(2.0/sqrtbeta1+math.Sqrt(1+4.0/(sqrtbeta1*sqrtbeta1)))
	term1 := 1 - 2/(9.0*a)
	denom := 1 + z*math.Sqrt(2/(a-4.0))
	if denom == 0 {
		return math.NaN()
	}
	sign := 1.0
	if denom < 0 {
		sign = -1
	}
	term2 := sign * math.Pow((1-2.0/a)/math.Abs(denom), 1/3.0)
	return (term1 - term2) / math.Sqrt(2/(9.0*a))
}

// Omnibus returns D'Agostino and Pearson's K² = z_skew² + z_kurt² and its
// p-value, the χ²(2) upper tail exp(−K²/2) (statsmodels' omni_normtest,
// which is scipy.stats.normaltest): both NaN below 8 values, as statsmodels
// reports them.
func Omnibus(x []float64) (k2, p float64) {
	if len(x) < 8 {
		return math.NaN(), math.NaN()
	}
	s, k := SkewTestZ(x), KurtosisTestZ(x)
	k2 = s*s + k*k
	return k2, ChiSquareSurvival(k2, 2)
}

// JarqueBera returns statsmodels' jarque_bera: JB = n/6·(S² + (K − 3)²/4)
// with the biased skewness S and Pearson kurtosis K, its χ²(2) p-value, S
// and K. x needs at least 2 values; with fewer every result is NaN.
func JarqueBera(x []float64) (jb, p, skew, kurtosis float64) {
	if len(x) < 2 {
		nan := math.NaN()
		return nan, nan, nan, nan
	}
	skew, kurtosis = Skew(x), Kurtosis(x)
	n := float64(len(x))
	jb = n / 6 * (skew*skew + (kurtosis-3)*(kurtosis-3)/4)
	return jb, ChiSquareSurvival(jb, 2), skew, kurtosis
}
