package stats

import (
	"errors"
	"math"
)

// Box–Cox transformation (scipy.stats.boxcox without a given λ): the λ that
// maximises the profile log-likelihood, found the way scipy 1.10 finds it —
// scipy.optimize.bracket started from (−2, 2), then Brent's method with
// scipy's tolerances — so that both land on the same local maximum. They
// agree to about 1e-6 in λ, not to the last digit: near its maximum the
// log-likelihood is flat to within its own rounding error (x^λ/λ carries the
// large offset 1/λ), so the last Brent steps of either follow rounding noise.

// Errors returned by BoxCoxMLE.
var (
	ErrBoxCoxNonPositive = errors.New("stats: Box–Cox needs every value > 0")
	ErrBoxCoxConstant    = errors.New("stats: Box–Cox needs values that are not all equal")
	ErrBoxCoxNoOptimum   = errors.New("stats: the Box–Cox log-likelihood has no maximum that a bracket search can find")
)

// BoxCoxLLF returns the Box–Cox profile log-likelihood of the positive values
// x at λ (scipy.stats.boxcox_llf):
//
//	llf(λ) = (λ − 1)·Σ log xᵢ − n/2 · log var(yᵢ)
//
// where y is x transformed by λ and var divides by n. The variance is
// computed from xᵢ^λ/λ (log xᵢ at λ = 0), which differs from the transformed
// values by a constant and keeps more digits. It is NaN for an empty x.
func BoxCoxLLF(lambda float64, x []float64) float64 {
	n := len(x)
	if n == 0 {
		return math.NaN()
	}
	var sumLog float64
	t := make([]float64, n)
	for i, v := range x {
		l := math.Log(v)
		sumLog += l
		if lambda == 0 {
			t[i] = l
		} else {
			t[i] = math.Pow(v, lambda) / lambda
		}
	}
	return (lambda-1)*sumLog - float64(n)/2*math.Log(populationVariance(t))
}

// populationVariance is numpy's var with ddof 0, computed in two passes.
func populationVariance(x []float64) float64 {
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	var ss float64
	for _, v := range x {
		d := v - mean
		ss += d * d
	}
	return ss / float64(len(x))
}

// BoxCox returns the Box–Cox transform of the positive value x,
// (x^λ − 1)/λ, or log x at λ = 0 (scipy.special.boxcox, which computes the
// first form as expm1(λ·log x)/λ to keep digits near λ = 0).
func BoxCox(x, lambda float64) float64 {
	if lambda == 0 {
		return math.Log(x)
	}
	return math.Expm1(lambda*math.Log(x)) / lambda
}

// BoxCoxMLE returns the maximum-likelihood λ for the values x, which must all
// be finite and > 0 and not all equal (the errors above otherwise). It
// follows scipy.stats.boxcox_normmax(method="mle"): bracket the minimum of
// −BoxCoxLLF starting from λ = −2 and 2, then refine it with Brent's
// method (relative tolerance 1.48e-8, at most 500 iterations). A likelihood
// that keeps rising for 1000 bracket expansions gives ErrBoxCoxNoOptimum, as
// scipy raises there.
func BoxCoxMLE(x []float64) (float64, error) {
	if len(x) == 0 {
		return math.NaN(), ErrBoxCoxConstant
	}
	for _, v := range x {
		if !(v > 0) || math.IsInf(v, 1) {
			return math.NaN(), ErrBoxCoxNonPositive
		}
	}
	constant := true
	for _, v := range x[1:] {
		if v != x[0] {
			constant = false
			break
		}
	}
	if constant {
		return math.NaN(), ErrBoxCoxConstant
	}
	f := func(l float64) float64 { return -BoxCoxLLF(l, x) }
	br, err := bracketMinimum(f, -2, 2)
	if err != nil {
		return math.NaN(), err
	}
	return brentMinimize(f, br), nil
}

// bracket is three abscissae with f(b) ≤ f(a) and f(b) < f(c) (a and c in
// either order) and their function values.
type bracket struct {
	a, b, c    float64
	fa, fb, fc float64
}

// bracketMinimum is scipy.optimize.bracket(func, xa, xb) with its defaults
// (grow_limit 110, maxiter 1000): a downhill walk with parabolic
// extrapolation from (xa, xb) until the function rises again.
func bracketMinimum(f func(float64) float64, xa, xb float64) (bracket, error) {
	const (
		gold      = 1.618034
		verySmall = 1e-21
		growLimit = 110.0
		maxIter   = 1000
	)
	fa, fb := f(xa), f(xb)
	if fa < fb {
		xa, xb, fa, fb = xb, xa, fb, fa
	}
	xc := xb + gold*(xb-xa)
	fc := f(xc)
	for iter := 0; fc < fb; iter++ {
		tmp1 := (xb - xa) * (fb - fc)
		tmp2 := (xb - xc) * (fb - fa)
		val := tmp2 - tmp1
		denom := 2 * val
		if math.Abs(val) < verySmall {
			denom = 2 * verySmall
		}
		w := xb - ((xb-xc)*tmp2-(xb-xa)*tmp1)/denom
		wlim := xb + growLimit*(xc-xb)
		if iter > maxIter {
			return bracket{}, ErrBoxCoxNoOptimum
		}
		var fw float64
		switch {
		case (w-xc)*(xb-w) > 0:
			fw = f(w)
			if fw < fc {
				return bracket{xb, w, xc, fb, fw, fc}, nil
			} else if fw > fb {
				return bracket{xa, xb, w, fa, fb, fw}, nil
			}
			w = xc + gold*(xc-xb)
			fw = f(w)
		case (w-wlim)*(wlim-xc) >= 0:
			w = wlim
			fw = f(w)
		case (w-wlim)*(xc-w) > 0:
			fw = f(w)
			if fw < fc {
				xb, xc = xc, w
				w = xc + gold*(xc-xb)
				fb, fc = fc, fw
				fw = f(w)
			}
		default:
			w = xc + gold*(xc-xb)
			fw = f(w)
		}
		xa, xb, xc = xb, xc, w
		fa, fb, fc = fb, fc, fw
	}
	// The ends may be uphill to +Inf (x^λ overflowed there); anything else
	// not finite means the walk ran off to infinity.
	for _, v := range []float64{xa, xb, xc, fb} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bracket{}, ErrBoxCoxNoOptimum
		}
	}
	if math.IsNaN(fa) || math.IsNaN(fc) || math.IsInf(fa, -1) || math.IsInf(fc, -1) {
		return bracket{}, ErrBoxCoxNoOptimum
	}
	return bracket{xa, xb, xc, fa, fb, fc}, nil
}

// brentMinimize is scipy.optimize.brent's core loop (class Brent, tol
// 1.48e-8, maxiter 500, mintol 1e-11) started from a bracket; it returns the
// abscissa of the minimum.
func brentMinimize(f func(float64) float64, br bracket) float64 {
	const (
		tol     = 1.48e-8
		mintol  = 1.0e-11
		cg      = 0.3819660
		maxIter = 500
	)
	x, w, v := br.b, br.b, br.b
	fx, fw, fv := br.fb, br.fb, br.fb
	a, b := br.a, br.c
	if a > b {
		a, b = b, a
	}
	var deltax, rat float64
	for iter := 0; iter < maxIter; iter++ {
		tol1 := tol*math.Abs(x) + mintol
		tol2 := 2 * tol1
		xmid := 0.5 * (a + b)
		if math.Abs(x-xmid) < tol2-0.5*(b-a) {
			break
		}
		if math.Abs(deltax) <= tol1 {
			if x >= xmid {
				deltax = a - x
			} else {
				deltax = b - x
			}
			rat = cg * deltax
		} else {
			tmp1 := (x - w) * (fx - fv)
			tmp2 := (x - v) * (fx - fw)
			p := (x-v)*tmp2 - (x-w)*tmp1
			tmp2 = 2 * (tmp2 - tmp1)
			if tmp2 > 0 {
				p = -p
			}
			tmp2 = math.Abs(tmp2)
			dxTemp := deltax
			deltax = rat
			if p > tmp2*(a-x) && p < tmp2*(b-x) && math.Abs(p) < math.Abs(0.5*tmp2*dxTemp) {
				rat = p / tmp2
				u := x + rat
				if u-a < tol2 || b-u < tol2 {
					if xmid-x >= 0 {
						rat = tol1
					} else {
						rat = -tol1
					}
				}
			} else {
				if x >= xmid {
					deltax = a - x
				} else {
					deltax = b - x
				}
				rat = cg * deltax
			}
		}
		var u float64
		if math.Abs(rat) < tol1 {
			if rat >= 0 {
				u = x + tol1
			} else {
				u = x - tol1
			}
		} else {
			u = x + rat
		}
		fu := f(u)
		if fu > fx {
			if u < x {
				a = u
			} else {
				b = u
			}
			if fu <= fw || w == x {
				v, w = w, u
				fv, fw = fw, fu
			} else if fu <= fv || v == x || v == w {
				v, fv = u, fu
			}
		} else {
			if u >= x {
				a = x
			} else {
				b = x
			}
			v, w, x = w, x, u
			fv, fw, fx = fw, fx, fu
		}
	}
	return x
}
