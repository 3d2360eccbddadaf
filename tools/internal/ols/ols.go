// Package ols fits ordinary least squares and reports what statsmodels'
// OLS results report (statsmodels 0.13.5, the version behind the seed's
// observed values): parameters, standard errors, t and p-values, confidence
// intervals, R² and adjusted R², the F test, log-likelihood, AIC and BIC,
// Type-II ANOVA, leverage, Cook's distance, PRESS, prediction intervals and
// a statsmodels-style text summary. On well-conditioned data the numbers
// agree with statsmodels to about 1e-12 relative, the intervals to about
// 1e-9: scipy 1.10's t quantile, which statsmodels uses, is itself off by
// up to 2e-9 relative (see stats.TQuantilePrecise).
//
// # Use
//
//	d, _ := f.Build(rows, nil)      // package formula
//	r, err := ols.FitDesign(d)      // or ols.Fit(x, y, names)
//	lo, hi := r.ConfInt(0.05)
//	table, err := r.AnovaTypeII()
//	pred, err := r.Predict(xNew, 0.05)
//
// # Method
//
// The rank is that of statsmodels: the number of singular values of X above
// σmax·min(n, p)·ε. With full column rank the fit is a Householder QR
// (gonum mat.QR): β = R⁻¹Qᵀy and (XᵀX)⁻¹ = R⁻¹R⁻ᵀ. With a rank-deficient X
// the fit is statsmodels' own: the minimum-norm solution through the
// pseudo-inverse (singular values below 1e-15·σmax dropped), and
// (XᵀX)⁺ = X⁺X⁺ᵀ; df_model = rank − k_constant and df_resid = n − rank, as
// statsmodels has them. Errors are *errcode.Error values with code
// tool_error.
//
// Division by zero follows IEEE arithmetic exactly as numpy's does, so a
// saturated model (df_resid = 0) has an infinite scale and standard errors,
// t-values of 0 and NaN p-values, as statsmodels reports for one; callers
// write NaN and ±Inf as null.
package ols

import (
	"errors"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/formula"
	"github.com/toolq/toolq/tools/internal/stats"
)

// Term is a model term and its parameters, Params[Start:End]. Factors names
// its factors (none for the intercept); Type-II ANOVA uses them to find the
// terms that contain a term.
type Term struct {
	Name       string
	Start, End int
	Factors    []string
}

// Results is a fitted OLS model. The exported fields are computed by Fit;
// the methods compute the rest on demand. A Results must not be modified.
type Results struct {
	// Names are the parameter (column) names.
	Names []string
	// Params are the coefficients; BSE their standard errors; TValues and
	// PValues their t statistics and two-sided p-values (Student t with
	// DfResid degrees of freedom).
	Params, BSE, TValues, PValues []float64
	// Y is the response; Fitted = Xβ; Resid = Y − Fitted.
	Y, Fitted, Resid []float64

	// NObs is the number of observations (rows of X).
	NObs int
	// Rank is the numerical rank of X.
	Rank int
	// KConstant is 1 when X spans a constant (an explicit constant column,
	// or, failing that, a constant in the column space), else 0: it decides
	// between centred and uncentred R².
	KConstant int
	// DfModel = Rank − KConstant; DfResid = NObs − Rank.
	DfModel, DfResid int

	// SSR is the residual sum of squares; CenteredTSS = Σ(y − ȳ)²;
	// UncenteredTSS = Σy²; ESS = TSS − SSR, with the centred TSS when
	// KConstant is 1.
	SSR, ESS, CenteredTSS, UncenteredTSS float64
	// Scale is the residual variance SSR/DfResid (+Inf when DfResid is 0).
	Scale float64
	// RSquared = 1 − SSR/TSS and RSquaredAdj = 1 − (NObs − KConstant)/DfResid·(1 − R²).
	RSquared, RSquaredAdj float64
	// FValue = (ESS/DfModel)/(SSR/DfResid) and its p-value, the upper tail
	// of F(DfModel, DfResid).
	FValue, FPValue float64
	// LogLike is the Gaussian log-likelihood at the MLE of σ²; AIC =
	// −2·LogLike + 2·(DfModel + KConstant); BIC uses log(NObs) in place of 2.
	LogLike, AIC, BIC float64
	// SingularValues are those of X, largest first (min(NObs, p) of them);
	// CondNo is the largest over the smallest.
	SingularValues []float64
	CondNo         float64
	// Terms are the model's terms, set by FitDesign (nil after Fit unless the
	// caller sets them). AnovaTypeII needs them.
	Terms []Term

	x       *mat.Dense
	normCov *mat.SymDense // (XᵀX)⁻¹, or X⁺X⁺ᵀ when rank-deficient
	u       *mat.Dense    // left singular vectors of X, n × min(n, p)
	pinvR   int           // singular values above the pseudo-inverse cutoff
}

// pinvRcond is numpy's and statsmodels' pinv cutoff relative to σmax.
const pinvRcond = 1e-15

// Fit fits y on the columns of x (n×p, with the intercept column if the
// model has one) and names the parameters names (x1, x2, … when nil). x
// must be finite, have at least one row and as many rows as y has values;
// otherwise Fit returns a tool_error. x is not retained; Fit copies it.
func Fit(x *mat.Dense, y []float64, names []string) (*Results, error) {
	if x == nil {
		return nil, errcode.New(errcode.ToolError, "the model has no columns")
	}
	n, p := x.Dims()
	if n != len(y) {
		return nil, errcode.New(errcode.ToolError, "the model matrix has %d rows but the response %d values", n, len(y))
	}
	if names == nil {
		names = make([]string, p)
		for j := range names {
			names[j] = "x" + strconv.Itoa(j+1)
		}
	}
	if len(names) != p {
		return nil, errcode.New(errcode.ToolError, "%d names for %d columns", len(names), p)
	}
	for i := 0; i < n; i++ {
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return nil, errcode.New(errcode.ToolError, "the response has a value that is not finite (row %d)", i)
		}
		for j := 0; j < p; j++ {
			if v := x.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, errcode.New(errcode.ToolError, "the model matrix has a value that is not finite (row %d, column %s)", i, names[j])
			}
		}
	}
	r := &Results{
		Names: append([]string(nil), names...),
		Y:     append([]float64(nil), y...),
		NObs:  n,
		x:     mat.DenseCopyOf(x),
	}

	var svd mat.SVD
	if !svd.Factorize(r.x, mat.SVDThin) {
		return nil, errcode.New(errcode.ToolError, "the singular value decomposition of the model matrix did not converge")
	}
	s := svd.Values(nil)
	r.SingularValues = s
	r.u = &mat.Dense{}
	svd.UTo(r.u)
	smax := 0.0
	if len(s) > 0 {
		smax = s[0]
	}
	// statsmodels: matrix_rank(diag(s)), whose tolerance is σmax·k·ε with
	// k = len(s) = min(n, p).
	tol := smax * float64(len(s)) * eps
	for _, v := range s {
		if v > tol {
			r.Rank++
		}
		if v > pinvRcond*smax {
			r.pinvR++
		}
	}
	r.CondNo = smax / s[len(s)-1]

	beta := make([]float64, p)
	if r.Rank == p {
		if err := r.solveQR(y, beta); err != nil {
			return nil, err
		}
	} else {
		r.solvePinv(&svd, y, beta)
	}
	r.Params = beta
	r.KConstant = kConstant(r.x, s)
	r.DfModel = r.Rank - r.KConstant
	r.DfResid = n - r.Rank
	r.finish()
	return r, nil
}

// eps is float64's machine epsilon, numpy's finfo(float).eps.
const eps = 0x1p-52

// solveQR fits through a Householder QR of the full-rank X.
func (r *Results) solveQR(y, beta []float64) error {
	_, p := r.x.Dims()
	var qr mat.QR
	qr.Factorize(r.x)
	b := mat.NewVecDense(p, beta)
	// A mat.Condition error only warns of ill-conditioning; the solution
	// is computed all the same.
	var cond mat.Condition
	if err := qr.SolveVecTo(b, false, mat.NewVecDense(len(y), append([]float64(nil), y...))); err != nil && !errors.As(err, &cond) {
		return errcode.New(errcode.ToolError, "the model matrix is singular: %v", err)
	}
	var rfull mat.Dense
	qr.RTo(&rfull) // n×p upper trapezoidal
	rt := mat.NewTriDense(p, mat.Upper, nil)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			rt.SetTri(i, j, rfull.At(i, j))
		}
	}
	var rinv mat.TriDense
	if err := rinv.InverseTri(rt); err != nil && !errors.As(err, &cond) {
		return errcode.New(errcode.ToolError, "the model matrix is singular: %v", err)
	}
	cov := mat.NewSymDense(p, nil)
	// (XᵀX)⁻¹ = R⁻¹R⁻ᵀ.
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			var s float64
			for k := j; k < p; k++ { // R⁻¹ is upper triangular
				s += rinv.At(i, k) * rinv.At(j, k)
			}
			cov.SetSym(i, j, s)
		}
	}
	r.normCov = cov
	return nil
}

// solvePinv fits statsmodels' way for a rank-deficient X: β = X⁺y and
// (XᵀX)⁺ = X⁺X⁺ᵀ, dropping singular values below 1e-15·σmax.
func (r *Results) solvePinv(svd *mat.SVD, y, beta []float64) {
	_, p := r.x.Dims()
	var v mat.Dense
	svd.VTo(&v)
	s := r.SingularValues
	// c = Uᵀy over the kept singular vectors.
	c := make([]float64, r.pinvR)
	for k := range c {
		var sum float64
		for i, yi := range y {
			sum += r.u.At(i, k) * yi
		}
		c[k] = sum / s[k]
	}
	for j := 0; j < p; j++ {
		var sum float64
		for k := range c {
			sum += v.At(j, k) * c[k]
		}
		beta[j] = sum
	}
	cov := mat.NewSymDense(p, nil)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			var sum float64
			for k := 0; k < r.pinvR; k++ {
				sum += v.At(i, k) * v.At(j, k) / (s[k] * s[k])
			}
			cov.SetSym(i, j, sum)
		}
	}
	r.normCov = cov
}

// kConstant is statsmodels' _handle_constant with hasconst=None
// (stats.SpansConstant); s are the singular values of x.
func kConstant(x *mat.Dense, s []float64) int {
	if stats.SpansConstant(x, s) {
		return 1
	}
	return 0
}

// finish computes everything that follows from β and (XᵀX)⁻¹.
func (r *Results) finish() {
	n, p := r.x.Dims()
	r.Fitted = make([]float64, n)
	r.Resid = make([]float64, n)
	var ymean float64
	for _, v := range r.Y {
		ymean += v
	}
	ymean /= float64(n)
	for i := 0; i < n; i++ {
		var f float64
		for j := 0; j < p; j++ {
			f += r.x.At(i, j) * r.Params[j]
		}
		r.Fitted[i] = f
		e := r.Y[i] - f
		r.Resid[i] = e
		r.SSR += e * e
		d := r.Y[i] - ymean
		r.CenteredTSS += d * d
		r.UncenteredTSS += r.Y[i] * r.Y[i]
	}
	nobs := float64(n)
	dfModel, dfResid := float64(r.DfModel), float64(r.DfResid)
	tss := r.UncenteredTSS
	if r.KConstant == 1 {
		tss = r.CenteredTSS
	}
	r.ESS = tss - r.SSR
	r.RSquared = 1 - r.SSR/tss
	r.RSquaredAdj = 1 - (nobs-float64(r.KConstant))/dfResid*(1-r.RSquared)
	if r.DfResid == 0 {
		// numpy gives ssr/0: +Inf for the rounding-noise residuals a
		// saturated fit leaves, which is what statsmodels reports; an exact
		// zero here would give NaN only by accident of rounding.
		r.Scale = math.Inf(1)
	} else {
		r.Scale = r.SSR / dfResid
	}
	r.FValue = (r.ESS / dfModel) / (r.SSR / dfResid)
	r.FPValue = stats.FSurvival(r.FValue, dfModel, dfResid)
	r.LogLike = -nobs/2*math.Log(2*math.Pi) - nobs/2*math.Log(r.SSR/nobs) - nobs/2
	k := float64(r.DfModel + r.KConstant)
	r.AIC = -2*r.LogLike + 2*k
	r.BIC = -2*r.LogLike + math.Log(nobs)*k

	r.BSE = make([]float64, p)
	r.TValues = make([]float64, p)
	r.PValues = make([]float64, p)
	for j := 0; j < p; j++ {
		r.BSE[j] = math.Sqrt(r.normCov.At(j, j) * r.Scale)
		r.TValues[j] = r.Params[j] / r.BSE[j]
		r.PValues[j] = 2 * stats.TSurvival(math.Abs(r.TValues[j]), dfResid)
	}
}

// ConfInt returns the 100·(1 − alpha)% confidence intervals of the
// parameters, β ∓ t(1 − alpha/2, DfResid)·se (statsmodels' conf_int).
func (r *Results) ConfInt(alpha float64) (lower, upper []float64) {
	q := stats.TQuantilePrecise(1-alpha/2, float64(r.DfResid))
	lower = make([]float64, len(r.Params))
	upper = make([]float64, len(r.Params))
	for j, b := range r.Params {
		lower[j] = b - q*r.BSE[j]
		upper[j] = b + q*r.BSE[j]
	}
	return lower, upper
}

// NormalizedCov returns (XᵀX)⁻¹ (the pseudo-inverse when X is rank
// deficient), statsmodels' normalized_cov_params, as a new matrix.
func (r *Results) NormalizedCov() *mat.SymDense {
	return mat.NewSymDense(r.normCov.SymmetricDim(), append([]float64(nil), r.normCov.RawSymmetric().Data...))
}

// CovParams returns Scale·(XᵀX)⁻¹, the covariance of the parameters.
func (r *Results) CovParams() *mat.SymDense {
	c := r.NormalizedCov()
	c.ScaleSym(r.Scale, c)
	return c
}

// X returns a copy of the model matrix.
func (r *Results) X() *mat.Dense { return mat.DenseCopyOf(r.x) }

// FitDesign fits a model matrix built by package formula: X, Y and the
// column names, with Terms set from the design's terms. The design must
// have a response.
func FitDesign(d *formula.Design) (*Results, error) {
	if d.Y == nil {
		return nil, errcode.New(errcode.ToolError, "the formula has no response (write it as y ~ …)")
	}
	r, err := Fit(d.X, d.Y, d.Columns)
	if err != nil {
		return nil, err
	}
	for _, t := range d.Terms {
		ot := Term{Name: t.Name, Start: t.Start, End: t.End}
		for _, f := range t.Term {
			ot.Factors = append(ot.Factors, f.Name())
		}
		r.Terms = append(r.Terms, ot)
	}
	return r, nil
}
