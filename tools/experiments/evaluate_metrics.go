package experiments

import (
	"context"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/formula"
	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
)

// The metrics of evaluate_design (the seed's experiments/evaluate.py), each
// returning the keys it adds to the result.

// evalMetricNames are the metrics in the seed's registry order, with
// a_efficiency (not in the seed) after d_efficiency.
var evalMetricNames = []string{
	"d_efficiency", "a_efficiency", "i_efficiency", "g_efficiency", "prediction_variance", "vif", "condition_number", "power",
	"degrees_of_freedom", "alias_structure", "confounding", "resolution", "defining_relation", "clear_effects",
	"minimum_aberration",
}

// evalGridLog2 is the seed's Sobol grid size, 2^max(10, ⌈log2 5000⌉) = 8192.
const evalGridLog2 = 13

const noteRankDeficient = "Design is rank-deficient for the specified model."

// evalCtx is the seed's _EvalContext.
type evalCtx struct {
	ctx        context.Context
	names      []string
	rows       [][]float64
	model      string
	design     *formula.Design
	x          *mat.Dense
	cols       []string
	n, p       int
	xtx        *mat.SymDense
	inv        *mat.Dense // nil when XᵀX is singular
	generators []string
	effectSize *float64
	alpha      float64
	sigma      *float64

	// Computed once for the metrics that share them.
	gridPV []float64
	chains []string
}

// newEvalCtx builds the model matrix and XᵀX, and inverts XᵀX when
// numpy.linalg.matrix_rank says it has full rank (singular values above
// σ_max · p · ε).
func newEvalCtx(ctx context.Context, names []string, rows [][]float64, model string) (*evalCtx, error) {
	d, err := doeBuild(names, rows, doeModelRHS(names, model))
	if err != nil {
		return nil, err
	}
	e := &evalCtx{ctx: ctx, names: names, rows: rows, model: model, design: d, x: d.X, cols: d.Columns, alpha: 0.05}
	e.n, e.p = d.X.Dims()
	e.xtx = doeXtX(d.X)
	if stats.MatrixRank(e.xtx) == e.p {
		var inv mat.Dense
		if err := inv.Inverse(e.xtx); err == nil {
			e.inv = &inv
		}
	}
	return e, nil
}

func isInterceptName(name string) bool { return strings.ToLower(name) == "intercept" || name == "1" }

func metricDEfficiency(e *evalCtx) *pydict.Dict {
	o := &pydict.Dict{}
	if e.inv == nil {
		o.Set("d_efficiency", nil)
		o.Set("note", noteRankDeficient)
		return o
	}
	var lu mat.LU
	lu.Factorize(e.xtx)
	logdet, sign := lu.LogDet()
	if !(sign > 0) {
		o.Set("d_efficiency", nil)
		o.Set("note", "X'X has non-positive determinant.")
		return o
	}
	o.Set("d_efficiency", pyfmt.Float(100*math.Exp(logdet/float64(e.p))/float64(e.n)))
	return o
}

// metricAEfficiency is 100·p/(N·trace((XᵀX)⁻¹)), the A-efficiency of the
// design relative to an orthogonal one with ±1 levels (JMP's definition;
// the seed has no A-efficiency).
func metricAEfficiency(e *evalCtx) *pydict.Dict {
	o := &pydict.Dict{}
	if e.inv == nil {
		o.Set("a_efficiency", nil)
		o.Set("note", noteRankDeficient)
		return o
	}
	tr := 0.0
	for i := range e.p {
		tr += e.inv.At(i, i)
	}
	o.Set("a_efficiency", pyfmt.Float(100*float64(e.p)/(float64(e.n)*tr)))
	return o
}

// predictionVariances returns x'(XᵀX)⁻¹x for each row of pts.
func predictionVariances(pts *mat.Dense, inv *mat.Dense) []float64 {
	var pa mat.Dense
	pa.Mul(pts, inv)
	r, c := pts.Dims()
	out := make([]float64, r)
	for i := range r {
		s := 0.0
		for j := range c {
			s += pa.At(i, j) * pts.At(i, j)
		}
		out[i] = s
	}
	return out
}

// gridVariances evaluates the prediction variance on the unscrambled Sobol
// grid of 8192 points mapped to [−1, 1]^k.
func (e *evalCtx) gridVariances() ([]float64, error) {
	if e.gridPV != nil {
		return e.gridPV, nil
	}
	pts, err := stats.Sobol(len(e.names), evalGridLog2)
	if err != nil {
		return nil, err
	}
	g := mat.NewDense(len(pts), e.p, nil)
	index := make(map[string]int, len(e.names))
	for i, n := range e.names {
		index[n] = i
	}
	x := make([]float64, len(e.names))
	row := make([]float64, e.p)
	for i, pt := range pts {
		for j, v := range pt {
			x[j] = v*2.0 - 1.0
		}
		doeTermRow(e.design, index, x, row)
		g.SetRow(i, row)
	}
	e.gridPV = predictionVariances(g, e.inv)
	return e.gridPV, nil
}

func metricGEfficiency(e *evalCtx) (*pydict.Dict, error) {
	o := &pydict.Dict{}
	if e.inv == nil {
		o.Set("g_efficiency", nil)
		o.Set("note", noteRankDeficient)
		return o, nil
	}
	pv, err := e.gridVariances()
	if err != nil {
		return nil, err
	}
	maxPV := slices.Max(pv)
	if maxPV > 0 {
		o.Set("g_efficiency", pyfmt.Float(100*float64(e.p)/(float64(e.n)*maxPV)))
	} else {
		o.Set("g_efficiency", nil)
	}
	o.Set("max_prediction_variance", pyfmt.Float(maxPV))
	return o, nil
}

func metricIEfficiency(e *evalCtx) (*pydict.Dict, error) {
	o := &pydict.Dict{}
	if e.inv == nil {
		o.Set("i_efficiency", nil)
		o.Set("note", noteRankDeficient)
		return o, nil
	}
	pv, err := e.gridVariances()
	if err != nil {
		return nil, err
	}
	avg := numpyMean(pv)
	if avg > 0 {
		o.Set("i_efficiency", pyfmt.Float(100*float64(e.p)/(float64(e.n)*avg)))
	} else {
		o.Set("i_efficiency", nil)
	}
	o.Set("average_prediction_variance", pyfmt.Float(avg))
	return o, nil
}

// numpyMean is numpy's mean: pairwise summation (blocks of 8 unrolled, as
// numpy's pairwise_sum does) divided by the count.
func numpyMean(x []float64) float64 {
	return numpyPairwiseSum(x) / float64(len(x))
}

func numpyPairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		s := 0.0
		for _, v := range a {
			s += v
		}
		return s
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range 8 {
				r[j] += a[i+j]
			}
		}
		s := (r[0] + r[1]) + (r[2] + r[3]) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			s += a[i]
		}
		return s
	}
	n2 := n / 2
	n2 -= n2 % 8
	return numpyPairwiseSum(a[:n2]) + numpyPairwiseSum(a[n2:])
}

func metricPredictionVariance(e *evalCtx) *pydict.Dict {
	o := &pydict.Dict{}
	if e.inv == nil {
		o.Set("prediction_variance", nil)
		o.Set("note", noteRankDeficient)
		return o
	}
	pv := predictionVariances(e.x, e.inv)
	o.Set("prediction_variance", pyfmt.Floats(pv))
	o.Set("mean", pyfmt.Float(numpyMean(pv)))
	o.Set("max", pyfmt.Float(slices.Max(pv)))
	o.Set("min", pyfmt.Float(slices.Min(pv)))
	return o
}

// metricVIF is statsmodels' variance_inflation_factor for every column but
// the intercept: 1/(1 − R²) of the column regressed on all the others, the
// intercept among them, so R² is centred. That equals the diagonal of the
// inverse of the centred cross-product matrix of the non-intercept columns
// times each column's centred sum of squares, which is computed once
// instead of one regression per column.
func metricVIF(e *evalCtx) *pydict.Dict {
	o := &pydict.Dict{}
	if e.inv == nil {
		o.Set("vif", nil)
		o.Set("note", noteRankDeficient)
		return o
	}
	var cols []int
	for j, name := range e.cols {
		if !isInterceptName(name) {
			cols = append(cols, j)
		}
	}
	vif := &pydict.Dict{}
	if len(cols) > 0 {
		vals := varianceInflation(e.x, cols)
		for i, j := range cols {
			vif.Set(e.cols[j], pyfmt.Float(vals[i]))
		}
	}
	o.Set("vif", vif)
	return o
}

func varianceInflation(x *mat.Dense, cols []int) []float64 {
	n, _ := x.Dims()
	q := len(cols)
	c := mat.NewDense(n, q, nil)
	for i, j := range cols {
		mean := 0.0
		for r := range n {
			mean += x.At(r, j)
		}
		mean /= float64(n)
		for r := range n {
			c.Set(r, i, x.At(r, j)-mean)
		}
	}
	g := mat.NewSymDense(q, nil)
	g.SymOuterK(1, c.T())
	out := make([]float64, q)
	var inv mat.Dense
	if err := inv.Inverse(g); err != nil {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	for i := range q {
		out[i] = inv.At(i, i) * g.At(i, i)
	}
	return out
}

// metricConditionNumber is numpy.linalg.cond(X): σ_max/σ_min.
func metricConditionNumber(e *evalCtx) *pydict.Dict {
	o := &pydict.Dict{}
	var svd mat.SVD
	cn := math.NaN()
	if svd.Factorize(e.x, mat.SVDNone) {
		s := svd.Values(nil)
		cn = s[0] / s[len(s)-1]
	}
	o.Set("condition_number", pyfmt.Float(cn))
	return o
}

// metricPower: power of the F test of each term, 1 − F'(F_{1−α}(1, N − p);
// 1, N − p, λ) with λ = δ²/(σ²·[(XᵀX)⁻¹]ᵢᵢ), the non-central F written as
// a Poisson mixture of incomplete beta functions (stats.NoncentralFSurvival).
func metricPower(e *evalCtx) *pydict.Dict {
	o := &pydict.Dict{}
	if e.inv == nil {
		o.Set("power", nil)
		o.Set("note", noteRankDeficient)
		return o
	}
	sigma := 1.0
	if e.sigma != nil {
		sigma = *e.sigma
	}
	df := e.n - e.p
	if df <= 0 {
		o.Set("power", nil)
		o.Set("note", "No residual degrees of freedom (saturated model).")
		return o
	}
	power := func(es float64, i int) float64 {
		ncp := es * es / (sigma * sigma * e.inv.At(i, i))
		fCrit := stats.FUpperQuantile(e.alpha, 1, float64(df))
		return stats.NoncentralFSurvival(fCrit, 1, float64(df), ncp)
	}
	if e.effectSize != nil {
		pw := &pydict.Dict{}
		for i, name := range e.cols {
			if !isInterceptName(name) {
				pw.Set(name, pyfmt.Float(power(*e.effectSize, i)))
			}
		}
		o.Set("power", pw)
		return o
	}
	sizes := stats.Linspace(0.5*sigma, 3.0*sigma, 20)
	curves := &pydict.Dict{}
	for i, name := range e.cols {
		if isInterceptName(name) {
			continue
		}
		curve := make([]*pydict.Dict, len(sizes))
		for s, es := range sizes {
			pt := &pydict.Dict{}
			pt.Set("effect_size", pyfmt.Float(es))
			pt.Set("power", pyfmt.Float(power(es, i)))
			curve[s] = pt
		}
		curves.Set(name, curve)
	}
	o.Set("power_curves", curves)
	o.Set("sigma", pyfmt.Float(sigma))
	return o
}

// metricDegreesOfFreedom: model p − 1, residual N − p, total N − 1 and,
// when rows repeat (compared after numpy.round to 10 decimals), pure error
// and lack of fit.
func metricDegreesOfFreedom(e *evalCtx) *pydict.Dict {
	dof := &pydict.Dict{}
	dof.Set("model", e.p-1)
	dof.Set("residual", e.n-e.p)
	dof.Set("total", e.n-1)
	distinct := map[string]bool{}
	for _, r := range e.rows {
		var b strings.Builder
		for _, v := range r {
			rv := math.RoundToEven(v*1e10) / 1e10
			if rv == 0 {
				rv = 0 // −0.0 and 0.0 are one value in a Python tuple
			}
			b.WriteString(pyfmt.Repr(rv))
			b.WriteByte(',')
		}
		distinct[b.String()] = true
	}
	if nd := len(distinct); nd < e.n {
		dof.Set("pure_error", e.n-nd)
		lof := 0
		if nd > e.p {
			lof = nd - e.p
		}
		dof.Set("lack_of_fit", lof)
	}
	o := &pydict.Dict{}
	o.Set("degrees_of_freedom", dof)
	return o
}
