package monitoring

import (
	"math"

	"github.com/toolq/toolq/tools/internal/stats"
)

// The robust Holt–Winters chart of Gelper, Fried and Croux, "Robust
// forecasting with exponential and Holt–Winters smoothing", Journal of
// Forecasting 29 (2010) 285–300, as the seed's ControlChart implements it
// (variant "hw"), with the corrections the seed project made later (its
// src/process_improve/monitoring/control_charts.py at HEAD 21898be, which
// seed-spec §0.1 describes). Page numbers below are the paper's.
//
// The series is smoothed with a level α̂ and a trend β̂. Each observation is
// first cleaned against the one-step-ahead forecast α̂ + β̂ with Huber's ψ and
// a running robust scale σ̂, so that an outlier moves the smoothed series by
// at most 2σ̂. The chart's centre line is the median of the cleaned series
// and its spread the robust τ-scale of the one-step-ahead forecast errors.

const (
	// hwLambdaS is λ_s, the smoothing weight of the running scale σ̂: the
	// paper's recommendation (p. 291), which the seed fixes.
	hwLambdaS = 0.2
	// rhoK is the cutoff of the biweight ρ (the seed's 2.52).
	rhoK = 2.52
	// psiK is the Huber ψ's clipping point (p. 288).
	psiK = 2.0
	// tauFactor turns the median absolute forecast error into a first scale
	// estimate: the 1.48 printed below eq. 16 (not 1.4826).
	tauFactor = 1.48
	// hwGridPoints is the number of λ₁ and of λ₂ values tried.
	hwGridPoints = 5
)

// biweight is the biweight ρ function with cutoff rhoK = 2.52 and the
// multiplier it holds:
//
//	ρ(x) = c·(1 − (1 − (x/k)²)³) for |x| ≤ k, c beyond.
//
// The multiplier must make E[ρ(Z)] = 1 for standard normal Z, or the scales
// built from ρ (σ̂ and τ) do not estimate σ. The paper pairs the cutoff 2
// with c = 2.52. The seed used 2.52 as both cutoff and multiplier, which
// gives E[ρ(Z)] = 0.771: τ is 0.878σ, and its ±3τ limits are ±2.63σ, with
// about three times the intended false alarms on in-control data. The seed
// project later kept the cutoff and corrected the multiplier; so does this
// port (rhoConsistent).
type biweight float64

const (
	// rhoConsistent is c_k = 1/E[ρ₁(Z)] = 3.266736 for the cutoff 2.52,
	// where ρ₁ is the biweight normalised to a maximum of 1 (E = 0.3061160,
	// by quadrature; TestBiweightConsistency checks it).
	rhoConsistent biweight = 3.266736
	// rhoSeed is the seed's multiplier, used only to reproduce its numbers.
	rhoSeed biweight = rhoK
)

func (c biweight) rho(x float64) float64 {
	if math.Abs(x) > rhoK {
		return float64(c)
	}
	u := x / rhoK
	v := 1 - float64(u*u)
	return float64(c) * (1 - v*v*v)
}

// hwGrid holds the λ₁ and λ₂ values of the grid search,
// numpy.linspace(0.1, 0.9, 5): 0.1, 0.30000000000000004, 0.5,
// 0.7000000000000001, 0.9.
var hwGrid = stats.Linspace(0.1, 0.9, hwGridPoints)

// psi is Huber's ψ with clipping point 2: x inside (−2, 2), ±2 outside.
func psi(x float64) float64 {
	if math.Abs(x) < psiK || math.IsNaN(x) {
		return x
	}
	return math.Copysign(psiK, x)
}

// ratio returns e/s, except that an error of exactly zero is no surprise
// even on a zero scale: 0/0 is 0, not NaN. With a constant stretch of data
// σ̂ reaches zero, and the seed's NaN then spread through the rest of the
// fit.
func ratio(e, s float64) float64 {
	if e == 0 {
		return 0
	}
	return e / s
}

// warmUpLength returns M = min(20, max(10, ⌈0.1·N⌉)), the number of leading
// observations that start the recursion.
func warmUpLength(n int) int {
	return min(20, max(10, int(math.Ceil(0.1*float64(n)))))
}

// hwModel holds what a fit starts from: the starting values of the
// recursion (p. 290), estimated from the first M observations, and the ρ
// function.
type hwModel struct {
	m      int
	yStar0 float64 // the cleaned value of row 0: the median of the warm-up values
	alpha0 float64 // the level at row 0
	beta0  float64 // the trend at row 0
	sigma0 float64 // the scale at row 0
	rho    biweight
}

// warmUp estimates the starting values from y[0:m]: the trend β₀ is the
// repeated-median slope of the warm-up values on 0…M−1, the level α₀ the
// median of y_t − β₀·t, and the scale σ₀ the normal-consistent MAD of the
// residuals y_t − α₀ − β₀·t.
//
// The seed subtracted β₀ rather than β₀·t in σ₀ (seed-spec §7 item 2),
// which made σ₀ the MAD of the raw warm-up values, trend included: a
// trending warm-up started with an inflated scale. When more than half of
// the residuals are equal their MAD is zero and σ₀ is their standard
// deviation instead, as in the seed project's later code; a zero scale
// would never recover, since σ̂ is updated multiplicatively. A warm-up with
// fewer than two distinct times holding a value has no slope, and β₀ is
// then 0.
func warmUp(y []float64, m int) hwModel {
	yw := y[:m]
	t := make([]float64, m)
	for i := range t {
		t[i] = float64(i)
	}
	beta0, err := stats.RepeatedMedianSlope(t, yw) // M ≥ 10 points: no length error
	if err != nil || math.IsNaN(beta0) {
		beta0 = 0
	}
	detrended := make([]float64, m)
	for i, v := range yw {
		detrended[i] = v - float64(beta0*t[i])
	}
	alpha0 := stats.NanMedian(detrended)
	resid := make([]float64, m)
	for i, v := range yw {
		resid[i] = v - alpha0 - float64(beta0*t[i])
	}
	sigma0 := stats.MADNormal(resid)
	if !(sigma0 > 0) {
		if sd := stats.NanStd(resid, 1); sd > 0 {
			sigma0 = sd
		}
	}
	return hwModel{m: m, yStar0: stats.NanMedian(yw), alpha0: alpha0, beta0: beta0, sigma0: sigma0, rho: rhoConsistent}
}

// hwPath is the output of one pass of the recursion, one entry per row.
type hwPath struct {
	yStar []float64 // the cleaned series; NaN where nothing was imputed for a missing y
	err   []float64 // one-step-ahead forecast errors; NaN at row 0
}

// filter runs the recursion (p. 288–289) over y with smoothing weights l1
// (level) and l2 (trend) from the model md, for i ≥ 1:
//
//	e_i  = y_i − (α̂_{i−1} + β̂_{i−1})
//	σ̂_i  = √(ρ(e_i/σ̂_{i−1})·λ_s·σ̂²_{i−1} + (1 − λ_s)·σ̂²_{i−1})
//	y*_i = ψ(e_i/σ̂_i)·σ̂_i + α̂_{i−1} + β̂_{i−1}
//	α̂_i  = λ₁·y*_i + (1 − λ₁)(α̂_{i−1} + β̂_{i−1})
//	β̂_i  = λ₂(α̂_i − α̂_{i−1}) + (1 − λ₂)β̂_{i−1}
//
// with the operations in the seed's order. For a missing y_i the seed uses
// the median |e| of the previous ten rows as the error, and so does this
// port; but where those rows hold no error yet (a gap at row 1) the seed's
// NaN spread through every later value, while here, as in the seed
// project's later code, the forecast is carried forward (α̂_i = α̂_{i−1} +
// β̂_{i−1}, β̂_i and σ̂_i unchanged) and e_i and y*_i stay missing.
//
// path, when not nil, is reused for the output.
func filter(y []float64, md hwModel, l1, l2 float64, path *hwPath) *hwPath {
	n := len(y)
	if path == nil || len(path.err) != n {
		path = &hwPath{yStar: make([]float64, n), err: make([]float64, n)}
	}
	path.yStar[0], path.err[0] = md.yStar0, math.NaN()
	alpha, beta, sigma := md.alpha0, md.beta0, md.sigma0
	for i := 1; i < n; i++ {
		e := y[i] - (alpha + beta)
		if math.IsNaN(e) {
			e = recentError(path.err[max(i-10, 0):i])
			if math.IsNaN(e) {
				path.yStar[i], path.err[i] = math.NaN(), math.NaN()
				alpha += beta
				continue
			}
		}
		// The float64 conversions keep the compiler from fusing a product
		// and a sum into one FMA on the platforms that have it: numpy
		// rounds each operation, and so must this.
		prior := sigma * sigma
		s := math.Sqrt(float64(float64(md.rho.rho(ratio(e, sigma))*hwLambdaS)*prior) + float64((1.0-hwLambdaS)*prior))
		ys := float64(psi(ratio(e, s))*s) + alpha + beta
		a := float64(l1*ys) + float64((1-l1)*(alpha+beta))
		beta = float64(l2*(a-alpha)) + float64((1-l2)*beta)
		alpha, sigma = a, s
		path.yStar[i], path.err[i] = ys, e
	}
	return path
}

// recentError returns the median absolute value of the defined errors in
// errs (pandas' errors.abs().median()), NaN when there is none.
func recentError(errs []float64) float64 {
	abs := make([]float64, 0, len(errs))
	for _, e := range errs {
		if !math.IsNaN(e) {
			abs = append(abs, math.Abs(e))
		}
	}
	return stats.NanMedian(abs)
}

// tauScale returns the robust τ-scale of the errors (eq. 16, p. 290) and its
// square, which scores a grid cell:
//
//	τ² = S²·mean(ρ(e/S)),  S = 1.48·median|e|
//
// over the errors that are not missing. Without any error both are NaN.
// With S = 0 (more than half of the errors exactly zero) τ² is undefined
// for the grid search (NaN, as in the seed project's later code: such a
// cell cannot win), but τ itself is 0, the limit of S²·(a bounded mean):
// data that the smoother follows exactly have a zero-width chart.
func tauScale(errs []float64, rho biweight) (tau, tau2 float64) {
	abs := make([]float64, 0, len(errs))
	for _, e := range errs {
		if !math.IsNaN(e) {
			abs = append(abs, math.Abs(e))
		}
	}
	if len(abs) == 0 {
		return math.NaN(), math.NaN()
	}
	s := tauFactor * stats.NanMedian(abs)
	if s == 0 {
		return 0, math.NaN()
	}
	sum := 0.0
	for _, e := range errs {
		if !math.IsNaN(e) {
			sum += rho.rho(e / s)
		}
	}
	tau2 = float64(s*s) * (sum / float64(len(abs)))
	return math.Sqrt(max(0, tau2)), tau2
}

// hwChart is a fitted Holt–Winters chart.
type hwChart struct {
	target, spread   float64
	lambda1, lambda2 float64
	// judged is false for a series shorter than its warm-up: the limits
	// are then the median ± 3 standard deviations and no point is judged,
	// as in the seed.
	judged bool
}

// trainingFrom returns the first row whose error scores the fit: the one
// after the warm-up, or row 0 when fewer than 2M rows remain.
func trainingFrom(n, m int) int {
	if 2*m > n {
		return 0
	}
	return m
}

// holtWinters fits the chart to y, choosing λ₁ and λ₂ on the 5×5 grid.
// A series shorter than its warm-up gets the median and the sample
// standard deviation, and no point is judged (the seed's rule).
func holtWinters(y []float64) hwChart {
	n := len(y)
	m := warmUpLength(n)
	if n < m {
		return hwChart{target: stats.NanMedian(y), spread: stats.NanStd(y, 1)}
	}
	return holtWintersFrom(y, warmUp(y, m))
}

// holtWintersFrom runs the grid search from the model md.
//
// Each cell is scored by the τ² of its training errors; the first minimum
// in row-major order (λ₁ outer) wins, as numpy's argmin picks it, and a cell
// whose score is undefined cannot win (when none has a score the first
// cell is taken). The seed scored with NaN-propagating reductions, and the
// training rows include row 0, whose error is never defined, whenever
// N < 2M: every cell was then NaN and λ₁ = λ₂ = 0.1 always won (seed-spec
// §7 item 2). Here missing errors are left out of the score, as in the seed
// project's later code, so the grid search works at every length.
func holtWintersFrom(y []float64, md hwModel) hwChart {
	from := trainingFrom(len(y), md.m)
	best, bestI, bestJ := math.Inf(1), 0, 0
	var path *hwPath
	for i, l1 := range hwGrid {
		for j, l2 := range hwGrid {
			path = filter(y, md, l1, l2, path)
			if _, score := tauScale(path.err[from:], md.rho); score < best {
				best, bestI, bestJ = score, i, j
			}
		}
	}
	return holtWintersAt(y, md, hwGrid[bestI], hwGrid[bestJ])
}

// holtWintersAt fits the chart with fixed λ₁ and λ₂ from the model md: the
// target is the median of the cleaned series and the spread the τ-scale of
// the training errors.
func holtWintersAt(y []float64, md hwModel, l1, l2 float64) hwChart {
	path := filter(y, md, l1, l2, nil)
	tau, _ := tauScale(path.err[trainingFrom(len(y), md.m):], md.rho)
	return hwChart{
		target:  stats.NanMedian(path.yStar),
		spread:  tau,
		lambda1: l1,
		lambda2: l2,
		judged:  true,
	}
}
