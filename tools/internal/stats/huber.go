package stats

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// The defaults of statsmodels' RLM(endog, exog, M=HuberT()).fit(), which the
// seed's fit_robust_lm uses unchanged (statsmodels 0.13–0.14,
// statsmodels/robust/robust_linear_model.py and robust/norms.py).
const (
	// HuberTuning is HuberT's threshold t: standardized residuals up to t
	// in size get full weight, larger ones weight t/|z|.
	HuberTuning = 1.345
	// huberMaxIter is fit's maxiter. Counting the initial least-squares
	// fit as iteration 1, at most maxiter − 1 reweighted fits follow.
	huberMaxIter = 50
	// huberTol is fit's tol on the change of the deviance (conv="dev").
	huberTol = 1e-8
	// pinvRcond is the relative cut-off below which statsmodels' pinv
	// (pinv_extended) treats a singular value of the design as zero.
	pinvRcond = 1e-15
)

// ErrHuberTooFew reports a robust line fit asked of fewer than two points.
var ErrHuberTooFew = errors.New("stats: a robust line fit needs at least two complete points")

// HuberLineFit is a robust straight-line fit y ≈ Intercept + Slope·x.
type HuberLineFit struct {
	Intercept, Slope float64
	// Scale is the final robust scale of the residuals: their median
	// absolute value divided by Φ⁻¹(3/4).
	Scale float64
	// Iterations counts the fits as statsmodels does: 1 for the initial
	// least-squares fit plus one per reweighted fit.
	Iterations int
}

// HuberLine fits a straight line to the complete (x, y) pairs by Huber's
// M-estimator, reproducing statsmodels'
// RLM(y, [1, x], M=HuberT()).fit() with its defaults step for step:
//
//  1. start from ordinary least squares;
//  2. scale = median(|r| / 0.6744897501960817), the MAD about 0
//     (scale_est="mad", statsmodels.robust.scale.mad with center=0);
//  3. stop if the scale is 0 (a perfect fit); otherwise weight each point by
//     w = min(1, t/|r/scale|) with t = 1.345, refit by weighted least
//     squares, and re-estimate the scale from the new residuals;
//  4. the deviance is Σ ρ(r/s) with Huber's ρ(z) = z²/2 for |z| ≤ t and
//     t·|z| − t²/2 beyond, where s is the weighted least-squares step's own
//     variance estimate Σw·r²/(N − 2), not the robust scale (statsmodels
//     reads the scale of the WLS results it is handed); stop when the
//     deviance changes by no more than 1e-8 (or is NaN) or when 50 fits have
//     been made (maxiter), else repeat from 3.
//
// Every least-squares step is statsmodels' minimum-norm pseudo-inverse
// solution (singular values below 1e-15 of the largest count as zero), so a
// design without spread in x gives the same answer as there; it is computed
// through a Householder QR of the two weighted columns and the SVD of the
// 2×2 triangular factor, which has the design's singular values. Results
// agree with statsmodels to rounding (1e-14 relative on centred data, 1e-11
// with x a thousand times its spread away from 0, where the design is
// ill-conditioned for both); the iteration count can differ by one only when
// a deviance change lies within rounding of the tolerance.
//
// Pairs with a NaN are dropped. It returns ErrLengthMismatch when x and y
// differ in length and ErrHuberTooFew for fewer than two complete pairs.
// The cost is O(N) per iteration. Non-finite intermediate values (from
// inputs near ±MaxFloat64) give NaN results, never a panic.
func HuberLine(x, y []float64) (HuberLineFit, error) {
	if len(x) != len(y) {
		return HuberLineFit{}, ErrLengthMismatch
	}
	xs, ys := CompletePairs(x, y)
	n := len(xs)
	if n < 2 {
		return HuberLineFit{}, ErrHuberTooFew
	}
	ls := newLineSolver(n)
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	resid := make([]float64, n)
	buf := make([]float64, n)

	b0, b1 := ls.solve(xs, ys, w)
	lineResiduals(resid, xs, ys, b0, b1)
	scale := madAboutZero(resid, buf)
	// The first fit is a full statsmodels WLS, whose residual degrees of
	// freedom use the design's numerical rank; the reweighted fits are
	// _MinimalWLS, which uses the column count.
	prev := huberDeviance(resid, weightedScale(xs, ys, w, b0, b1, n-ls.rank()))
	iteration := 1
	for scale != 0 {
		for i, r := range resid {
			w[i] = huberWeight(r / scale)
		}
		b0, b1 = ls.solve(xs, ys, w)
		lineResiduals(resid, xs, ys, b0, b1)
		scale = madAboutZero(resid, buf)
		dev := huberDeviance(resid, weightedScale(xs, ys, w, b0, b1, n-2))
		iteration++
		// statsmodels' _check_convergence: converged unless the change
		// exceeds tol and iterations remain; a NaN change converges.
		change := math.Abs(dev - prev)
		prev = dev
		if !(change > huberTol && iteration < huberMaxIter) {
			break
		}
	}
	return HuberLineFit{Intercept: b0, Slope: b1, Scale: scale, Iterations: iteration}, nil
}

// huberWeight is HuberT.weights: 1 inside the threshold, t/|z| outside.
func huberWeight(z float64) float64 {
	if a := math.Abs(z); !(a <= HuberTuning) {
		return HuberTuning / a
	}
	return 1
}

// huberRho is HuberT.rho.
func huberRho(z float64) float64 {
	a := math.Abs(z)
	if a <= HuberTuning {
		return 0.5 * (z * z)
	}
	return a*HuberTuning - 0.5*(HuberTuning*HuberTuning)
}

// huberDeviance is RLM.deviance: Σ ρ(r/s), where s is not the robust
// scale but the scale of the weighted least-squares step that produced the
// residuals (its "scale" attribute, Σ(√w·r)²/df): statsmodels passes the
// WLS results, and the deviance reads their scale.
func huberDeviance(resid []float64, wlsScale float64) float64 {
	var s float64
	for _, r := range resid {
		s += huberRho(r / wlsScale)
	}
	return s
}

// weightedScale is the WLS results' scale: the whitened residuals'
// sum of squares over df, with the whitened residual computed as
// statsmodels does, √w·y − (√w·b0 + (√w·x)·b1). df = 0 (two points) gives
// +Inf or NaN, as numpy's division does.
func weightedScale(x, y, w []float64, b0, b1 float64, df int) float64 {
	var ss float64
	for i := range x {
		sw := math.Sqrt(w[i])
		r := sw*y[i] - (sw*b0 + (sw*x[i])*b1)
		ss += r * r
	}
	return ss / float64(df)
}

// madAboutZero is statsmodels.robust.scale.mad(resid, center=0):
// median(|r| / Φ⁻¹(3/4)), each value divided before the median is taken.
// buf is scratch of len(resid). A NaN residual makes the scale NaN, as
// numpy's median does.
func madAboutZero(resid, buf []float64) float64 {
	for i, r := range resid {
		if math.IsNaN(r) {
			return math.NaN()
		}
		buf[i] = math.Abs(r) / MADNormalScale
	}
	return medianSelect(buf)
}

func lineResiduals(dst, x, y []float64, b0, b1 float64) {
	for i := range x {
		dst[i] = y[i] - (b0 + b1*x[i])
	}
}

// lineSolver solves the weighted least-squares problem of a straight line,
// min ‖√w·(y − b0 − b1·x)‖, the way statsmodels' WLS.fit() does
// (params = pinv(√w·[1, x]) · √w·y), reusing its buffers between calls.
type lineSolver struct {
	a, c       blas64.General // the weighted design (n×2) and response (n×1)
	tau, work  []float64
	r          *mat.Dense
	svd        mat.SVD
	u, v       mat.Dense
	singValues []float64
}

func newLineSolver(n int) *lineSolver {
	s := &lineSolver{
		a:   blas64.General{Rows: n, Cols: 2, Stride: 2, Data: make([]float64, 2*n)},
		c:   blas64.General{Rows: n, Cols: 1, Stride: 1, Data: make([]float64, n)},
		tau: make([]float64, 2),
		r:   mat.NewDense(2, 2, nil),

		singValues: make([]float64, 2),
	}
	work := []float64{0}
	lapack64.Geqrf(s.a, s.tau, work, -1)
	lwork := int(work[0])
	lapack64.Ormqr(blas.Left, blas.Trans, s.a, s.tau, s.c, work, -1)
	lwork = max(lwork, int(work[0]), 1)
	s.work = make([]float64, lwork)
	return s
}

// rank is the numerical rank statsmodels' WLS assigns the last design
// solved: np.linalg.matrix_rank(np.diag(singular_values)), the singular
// values above max·2·ε (2 = the size of that diagonal matrix).
func (s *lineSolver) rank() int {
	tol := max(s.singValues[0], s.singValues[1]) * 2 * epsilon
	r := 0
	for _, v := range s.singValues {
		if v > tol {
			r++
		}
	}
	return r
}

// epsilon is float64's machine epsilon, numpy's finfo(float).eps.
const epsilon = 0x1p-52

// solve returns (intercept, slope). With fewer than two rows the QR factor
// is one row tall; those callers are excluded by HuberLine.
func (s *lineSolver) solve(x, y, w []float64) (b0, b1 float64) {
	for i := range x {
		sw := math.Sqrt(w[i])
		s.a.Data[2*i] = sw
		s.a.Data[2*i+1] = sw * x[i]
		s.c.Data[i] = sw * y[i]
	}
	for _, v := range s.a.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.NaN(), math.NaN()
		}
	}
	for _, v := range s.c.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.NaN(), math.NaN()
		}
	}
	// A = QR; then pinv(A)·c = pinv(R)·(Qᵀc)[:2], because Q has
	// orthonormal columns and R has A's singular values.
	lapack64.Geqrf(s.a, s.tau, s.work, len(s.work))
	lapack64.Ormqr(blas.Left, blas.Trans, s.a, s.tau, s.c, s.work, len(s.work))
	s.r.Set(0, 0, s.a.Data[0])
	s.r.Set(0, 1, s.a.Data[1])
	s.r.Set(1, 0, 0)
	s.r.Set(1, 1, s.a.Data[3])
	if !s.svd.Factorize(s.r, mat.SVDFull) {
		return math.NaN(), math.NaN()
	}
	s.svd.Values(s.singValues)
	s.svd.UTo(&s.u)
	s.svd.VTo(&s.v)
	cutoff := pinvRcond * max(s.singValues[0], s.singValues[1])
	q0, q1 := s.c.Data[0], s.c.Data[1]
	var p [2]float64
	for k, sv := range s.singValues {
		if !(sv > cutoff) {
			continue
		}
		// component k of Σ⁺Uᵀ(Qᵀc), spread back by column k of V
		coef := (s.u.At(0, k)*q0 + s.u.At(1, k)*q1) / sv
		p[0] += s.v.At(0, k) * coef
		p[1] += s.v.At(1, k) * coef
	}
	return p[0], p[1]
}
