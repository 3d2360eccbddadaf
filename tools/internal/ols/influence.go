package ols

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/stats"
)

// Influence measures, as statsmodels' OLSInfluence computes them.

// Leverage returns the diagonal of the hat matrix H = XX⁺, hᵢᵢ = Σₖ Uᵢₖ²
// over the singular vectors the pseudo-inverse keeps (statsmodels'
// hat_matrix_diag).
func (r *Results) Leverage() []float64 {
	n, _ := r.u.Dims()
	h := make([]float64, n)
	for i := range h {
		var s float64
		for k := 0; k < r.pinvR; k++ {
			v := r.u.At(i, k)
			s += v * v
		}
		h[i] = s
	}
	return h
}

// StudentizedResiduals returns the internally studentized residuals
// eᵢ/√(Scale·(1 − hᵢᵢ)) (statsmodels' resid_studentized_internal).
func (r *Results) StudentizedResiduals() []float64 {
	h := r.Leverage()
	out := make([]float64, len(h))
	sigma := math.Sqrt(r.Scale)
	for i, e := range r.Resid {
		out[i] = e / sigma / math.Sqrt(1-h[i])
	}
	return out
}

// CooksDistance returns Cook's distance of every observation,
// rᵢ²/p · hᵢᵢ/(1 − hᵢᵢ) with the internally studentized residual rᵢ and p
// the number of columns of X (statsmodels' cooks_distance[0]).
func (r *Results) CooksDistance() []float64 {
	h := r.Leverage()
	st := r.StudentizedResiduals()
	p := float64(len(r.Params))
	out := make([]float64, len(h))
	for i := range h {
		out[i] = st[i] * st[i] / p * h[i] / (1 - h[i])
	}
	return out
}

// PRESS returns the prediction sum of squares Σ(eᵢ/(1 − hᵢᵢ))²
// (statsmodels' ess_press). It is +Inf or NaN when an observation has
// leverage 1.
func (r *Results) PRESS() float64 {
	h := r.Leverage()
	var s float64
	for i, e := range r.Resid {
		d := e / (1 - h[i])
		s += d * d
	}
	return s
}

// Prediction holds predictions at new points and their intervals
// (statsmodels' get_prediction(exog).summary_frame(alpha)).
type Prediction struct {
	// Mean is the predicted mean x·β.
	Mean []float64
	// SEMean is the standard error of the mean, √(x·Cov(β)·xᵀ); SEObs that
	// of a new observation, √(SEMean² + Scale).
	SEMean, SEObs []float64
	// MeanLower and MeanUpper bound the confidence interval of the mean;
	// ObsLower and ObsUpper the prediction interval of a new observation:
	// Mean ∓ t(1 − alpha/2, DfResid)·SE.
	MeanLower, MeanUpper, ObsLower, ObsUpper []float64
}

// Predict predicts at the rows of x (m×p, the columns of the fitted X, as
// formula.Design.Matrix builds them) with 100·(1 − alpha)% intervals. It
// returns a tool_error when x has the wrong number of columns.
func (r *Results) Predict(x mat.Matrix, alpha float64) (*Prediction, error) {
	m, p := x.Dims()
	if p != len(r.Params) {
		return nil, errcode.New(errcode.ToolError, "the prediction matrix has %d columns; the model has %d", p, len(r.Params))
	}
	cov := r.CovParams()
	q := stats.TQuantilePrecise(1-alpha/2, float64(r.DfResid))
	out := &Prediction{
		Mean: make([]float64, m), SEMean: make([]float64, m), SEObs: make([]float64, m),
		MeanLower: make([]float64, m), MeanUpper: make([]float64, m),
		ObsLower: make([]float64, m), ObsUpper: make([]float64, m),
	}
	row := make([]float64, p)
	for i := 0; i < m; i++ {
		var mean, v float64
		for j := 0; j < p; j++ {
			row[j] = x.At(i, j)
			mean += row[j] * r.Params[j]
		}
		for j := 0; j < p; j++ {
			var s float64
			for k := 0; k < p; k++ {
				s += cov.At(j, k) * row[k]
			}
			v += row[j] * s
		}
		out.Mean[i] = mean
		out.SEMean[i] = math.Sqrt(v)
		out.SEObs[i] = math.Sqrt(v + r.Scale)
		out.MeanLower[i] = mean - q*out.SEMean[i]
		out.MeanUpper[i] = mean + q*out.SEMean[i]
		out.ObsLower[i] = mean - q*out.SEObs[i]
		out.ObsUpper[i] = mean + q*out.SEObs[i]
	}
	return out, nil
}
