package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// ncfMaxTerms bounds the Poisson series of the non-central F. scipy's
// Boost-based ncf gives up (NaN) after 10^6 terms; this port sums up to
// ten times as many, which covers every non-centrality below about 10^11.
const ncfMaxTerms = 10_000_000

// FUpperQuantile returns the (1 − alpha)-quantile of the central F
// distribution with d1 and d2 degrees of freedom, scipy.stats.f.ppf(1 −
// alpha, d1, d2). It inverts the tail that keeps precision: for a small
// alpha the upper tail I_z(d2/2, d1/2) = alpha is solved for z = d2/(d2 +
// d1·F). NaN for alpha outside (0, 1) or non-positive degrees of freedom.
func FUpperQuantile(alpha, d1, d2 float64) float64 {
	if !(alpha > 0 && alpha < 1) || !(d1 > 0) || !(d2 > 0) {
		return math.NaN()
	}
	// The seed asks for ppf(1 − alpha): round alpha as that subtraction does.
	alpha = 1 - (1 - alpha)
	if alpha < 0.5 {
		z := mathext.InvRegIncBeta(0.5*d2, 0.5*d1, alpha)
		return d2 * (1 - z) / (d1 * z)
	}
	y := mathext.InvRegIncBeta(0.5*d1, 0.5*d2, 1-alpha)
	return d2 * y / (d1 * (1 - y))
}

// NoncentralFSurvival returns P(F > f) for the non-central F distribution
// with d1 and d2 degrees of freedom and non-centrality lambda (scipy's
// ncf.sf). It is the Poisson mixture of regularized incomplete beta
// functions
//
//	Σ_j e^{−λ/2} (λ/2)^j / j! · I_y(d2/2, d1/2 + j),  y = d2/(d2 + d1·f),
//
// summed outward from the Poisson mode with the recurrences
// I_y(b, a+j+1) = I_y(b, a+j) + Γ(a+b+j)/(Γ(a+j+1)Γ(b)) x^{a+j} y^b, as
// Boost does, until the remaining Poisson mass is negligible. It is NaN for
// invalid parameters and when the series would need more than 10^7 terms
// (a non-centrality above about 10^11).
func NoncentralFSurvival(f, d1, d2, lambda float64) float64 {
	if math.IsNaN(f) || !(d1 > 0) || !(d2 > 0) || !(lambda >= 0) || math.IsInf(lambda, 0) {
		return math.NaN()
	}
	if f <= 0 {
		return 1
	}
	if math.IsInf(f, 1) {
		return 0
	}
	a, b := 0.5*d1, 0.5*d2
	// x = d1 f/(d1 f + d2) and y = 1 − x, each computed directly.
	x := d1 * f / (d1*f + d2)
	y := d2 / (d1*f + d2)
	mu := 0.5 * lambda
	if mu == 0 {
		return mathext.RegIncBeta(b, a, y)
	}
	if 12*math.Sqrt(mu)+24 > ncfMaxTerms {
		return math.NaN()
	}
	m := math.Floor(mu)
	// Poisson weight at the mode, and the incomplete beta and its
	// recurrence step there.
	lg := func(v float64) float64 { l, _ := math.Lgamma(v); return l }
	wMode := math.Exp(-mu + m*math.Log(mu) - lg(m+1))
	jMode := mathext.RegIncBeta(b, a+m, y) // = 1 − I_x(a+m, b)
	// dMode = Γ(a+m+b)/(Γ(a+m+1)Γ(b)) x^{a+m} y^b: the step from j = m to m+1.
	dMode := math.Exp(lg(a+m+b) - lg(a+m+1) - lg(b) + (a+m)*math.Log(x) + b*math.Log(y))

	const eps = 1e-17
	sum := wMode * jMode
	// Forward: j = m+1, m+2, …
	w, jv, d := wMode, jMode, dMode
	for j := m; ; j++ {
		jv += d
		if jv > 1 {
			jv = 1
		}
		d *= x * (a + j + b) / (a + j + 1)
		w *= mu / (j + 1)
		term := w * jv
		sum += term
		// The remaining weights fall geometrically once past the mode.
		if j+1 > mu && (w < eps*sum || w < 1e-300) {
			break
		}
		if j-m > ncfMaxTerms {
			return math.NaN()
		}
	}
	// Backward: j = m−1, m−2, …, 0.
	w, jv, d = wMode, jMode, dMode
	for j := m; j > 0; j-- {
		// d(j−1) = d(j)·(a+j)/((a+j−1+b)·x)
		if x > 0 {
			d *= (a + j) / ((a + j - 1 + b) * x)
		}
		jv -= d
		if jv < 0 {
			jv = 0
		}
		w *= j / mu
		term := w * jv
		sum += term
		if w < eps*sum || term == 0 && w < eps {
			break
		}
		if m-j > ncfMaxTerms {
			return math.NaN()
		}
	}
	if sum > 1 {
		sum = 1
	}
	return sum
}
