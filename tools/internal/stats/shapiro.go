package stats

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// ShapiroWilk returns the Shapiro–Wilk W statistic of the non-NaN values of x
// and its p-value, by Royston's algorithm AS R94 (Applied Statistics 44(4),
// 1995, pp. 547–551), the method behind scipy.stats.shapiro and R's
// shapiro.test. It needs at least three values. x is not modified.
//
// The algorithm, for the n values sorted ascending:
//
//  1. Approximate the expected normal order statistics
//     m_i = Φ⁻¹((i − 3/8)/(n + 1/4)) and set u = 1/√n.
//  2. The two outermost weights come from Royston's polynomials in u,
//     a_n = c_n + 0.221157u − 0.147981u² − 2.071190u³ + 4.434685u⁴ − 2.706056u⁵
//     a_{n−1} = c_{n−1} + 0.042981u − 0.293762u² − 1.752461u³ + 5.682633u⁴ − 3.582633u⁵
//     with c = m/‖m‖ (for n ≤ 5 only a_n is adjusted); the inner weights are
//     m_i/√φ, φ chosen so that Σa² = 1. The weights are antisymmetric,
//     a_{n+1−i} = −a_i. For n = 3, a = (−√½, 0, √½).
//  3. W is the squared correlation of the weights with the data, computed as
//     1 − (1 − r²) from the centred sums so that W near 1 keeps its digits.
//  4. The p-value is the upper tail of a normal approximation to a
//     transformation of 1 − W: for n = 3 the exact
//     p = (6/π)(asin √W − asin √¾); for 4 ≤ n ≤ 11, with
//     γ = −2.273 + 0.459n, z = (−log(γ − log(1−W)) − μ)/σ,
//     μ = 0.5440 − 0.39978n + 0.025054n² − 0.0006714n³ and
//     σ = exp(1.3822 − 0.77857n + 0.062767n² − 0.0020322n³);
//     for n ≥ 12, with L = log n, z = (log(1−W) − μ)/σ,
//     μ = −1.5861 − 0.31082L − 0.083751L² + 0.0038915L³ and
//     σ = exp(−0.4803 − 0.082676L + 0.0030302L²).
//
// Differences from scipy, all below the accuracy of the approximation:
// scipy's swilk routine is single precision (its W and p are float32 values
// widened to float64), while this computes in float64 with gonum's normal
// quantile and survival function. Like AS R94 and scipy 1.10, constant data
// give W = 1 and p = 1 (newer scipy warns and may return NaN). For n > 5000
// the p-value is outside the range Royston validated; AS R94 flags that
// (ifault 2) but computes it anyway, and so does this.
func ShapiroWilk(x []float64) (w, p float64, err error) {
	s := sortedNonNaN(x)
	n := len(s)
	if n < 3 {
		return math.NaN(), math.NaN(), errors.New("stats: the Shapiro–Wilk test needs at least 3 non-missing values")
	}
	rng := s[n-1] - s[0]
	if rng == 0 {
		return 1, 1, nil
	}
	if math.IsInf(rng, 0) || math.IsNaN(rng) {
		return math.NaN(), math.NaN(), errors.New("stats: the Shapiro–Wilk test needs finite values")
	}

	w, oneMinusW := swilkW(s, swilkWeights(n), rng)
	return w, swilkPValue(w, oneMinusW, n), nil
}

// Royston's polynomial coefficients (AS R94), lowest degree first.
var (
	swC1 = []float64{0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056}
	swC2 = []float64{0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633}
	swC3 = []float64{0.5440, -0.39978, 0.025054, -6.714e-4}
	swC4 = []float64{1.3822, -0.77857, 0.062767, -0.0020322}
	swC5 = []float64{-1.5861, -0.31082, -0.083751, 0.0038915}
	swC6 = []float64{-0.4803, -0.082676, 0.0030302}
	swG  = []float64{-2.273, 0.459}
)

// poly evaluates c[0] + c[1]x + c[2]x² + … by Horner's rule.
func poly(c []float64, x float64) float64 {
	r := 0.0
	for i := len(c) - 1; i >= 0; i-- {
		r = r*x + c[i]
	}
	return r
}

// swilkWeights returns the upper half of the Shapiro–Wilk weights for n
// values: h[k] is the weight of the (k+1)-th largest value, and the (k+1)-th
// smallest has −h[k]. For odd n the middle value has weight 0 and is not
// listed.
func swilkWeights(n int) []float64 {
	half := n / 2
	h := make([]float64, half)
	if n == 3 {
		h[0] = math.Sqrt(0.5)
		return h
	}
	// m[k] = −Φ⁻¹((k+1 − 3/8)/(n + 1/4)): the expected value of the
	// (k+1)-th largest standard normal order statistic, positive.
	m := make([]float64, half)
	fn := float64(n)
	var summ2 float64
	for k := range m {
		m[k] = -distuv.UnitNormal.Quantile((float64(k+1) - 0.375) / (fn + 0.25))
		summ2 += m[k] * m[k]
	}
	summ2 *= 2 // both tails
	norm := math.Sqrt(summ2)
	u := 1 / math.Sqrt(fn)

	h[0] = m[0]/norm + poly(swC1, u)
	first := 1
	phi := (summ2 - 2*m[0]*m[0]) / (1 - 2*h[0]*h[0])
	if n > 5 {
		h[1] = m[1]/norm + poly(swC2, u)
		first = 2
		phi = (summ2 - 2*m[0]*m[0] - 2*m[1]*m[1]) / (1 - 2*h[0]*h[0] - 2*h[1]*h[1])
	}
	scale := math.Sqrt(phi)
	for k := first; k < half; k++ {
		h[k] = m[k] / scale
	}
	return h
}

// swilkW returns W and 1 − W for sorted s with half-weights h and range
// rng > 0: the squared correlation between the weights and the data scaled
// by the range, with 1 − W formed directly for the p-value's log(1 − W).
func swilkW(s, h []float64, rng float64) (w, oneMinusW float64) {
	n := len(s)
	weight := func(i int) float64 {
		switch j := n - 1 - i; {
		case i < j:
			return -h[i]
		case i > j:
			return h[j]
		default:
			return 0
		}
	}
	var meanA, meanX float64
	for i, v := range s {
		meanA += weight(i)
		meanX += v / rng
	}
	meanA /= float64(n)
	meanX /= float64(n)
	var ssa, ssx, sax float64
	for i, v := range s {
		da := weight(i) - meanA
		dx := v/rng - meanX
		ssa += da * da
		ssx += dx * dx
		sax += da * dx
	}
	root := math.Sqrt(ssa * ssx)
	oneMinusW = (root - sax) * (root + sax) / (ssa * ssx)
	return 1 - oneMinusW, oneMinusW
}

// swilkPValue returns Royston's p-value for W (and 1 − W) from n values.
func swilkPValue(w, oneMinusW float64, n int) float64 {
	fn := float64(n)
	if n == 3 {
		// Exact for n = 3; W cannot be below 3/4.
		const sixOverPi = 6 / math.Pi
		p := sixOverPi * (math.Asin(math.Sqrt(w)) - math.Asin(math.Sqrt(0.75)))
		return math.Max(0, math.Min(1, p))
	}
	y := math.Log(oneMinusW)
	var mu, sigma float64
	if n <= 11 {
		gamma := poly(swG, fn)
		if y >= gamma {
			// Beyond the transformation's range: W is so small that the
			// p-value is effectively zero (AS R94 returns its "small", 1e-19).
			return 1e-19
		}
		y = -math.Log(gamma - y)
		mu = poly(swC3, fn)
		sigma = math.Exp(poly(swC4, fn))
	} else {
		l := math.Log(fn)
		mu = poly(swC5, l)
		sigma = math.Exp(poly(swC6, l))
	}
	return distuv.UnitNormal.Survival((y - mu) / sigma)
}
