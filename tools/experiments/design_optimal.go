package experiments

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/stats"
)

// Optimal designs by coordinate exchange (Meyer & Nachtsheim 1995) on the
// levels −1, 0, +1 of every factor. The seed used pyoptex's coordinate
// exchange when it was installed and otherwise a point exchange seeded by
// an unseeded DataFrame.sample, so its D-optimal designs changed from call
// to call and its I- and A-optimal ones failed. Here every random choice
// comes from numpy's default_rng(random_seed) stream (the port in
// tools/internal/stats), so a seed always gives the same design; the
// designs are not pyoptex's.

type xchCriterion int

const (
	xchD xchCriterion = iota // maximise det(XᵀX)
	xchA                     // minimise trace((XᵀX)⁻¹)
	xchI                     // minimise the average prediction variance over [−1, 1]^k
)

// xchTries is pyoptex's default number of random starts.
const xchTries = 10

// xchWorkBudget bounds the arithmetic of one design (about p² operations
// per trial exchange). Large designs stop improving when it is spent; the
// count, not the clock, decides, so the result stays reproducible.
const xchWorkBudget = 3e9

// xchModel lists the model terms: the intercept, the main effects and, if
// interactions is set, the two-factor interactions in patsy's order.
type xchModel struct {
	k     int
	pairs [][2]int
}

func newXchModel(k int, interactions bool) xchModel {
	m := xchModel{k: k}
	if interactions {
		for i := range k {
			for j := i + 1; j < k; j++ {
				m.pairs = append(m.pairs, [2]int{i, j})
			}
		}
	}
	return m
}

func (m xchModel) p() int { return 1 + m.k + len(m.pairs) }

func (m xchModel) expand(x, f []float64) {
	f[0] = 1
	copy(f[1:], x)
	for t, pr := range m.pairs {
		f[1+m.k+t] = x[pr[0]] * x[pr[1]]
	}
}

// moments returns E[f(x)f(x)ᵀ] for x uniform on [−1, 1]^k: E[x²] = 1/3,
// E[x⁴] = 1/5, odd moments 0.
func (m xchModel) moments() *mat.SymDense {
	p := m.p()
	exps := make([][]int, p)
	for t := range exps {
		e := make([]int, m.k)
		switch {
		case t == 0:
		case t <= m.k:
			e[t-1] = 1
		default:
			pr := m.pairs[t-1-m.k]
			e[pr[0]], e[pr[1]] = 1, 1
		}
		exps[t] = e
	}
	w := mat.NewSymDense(p, nil)
	for a := range p {
		for b := a; b < p; b++ {
			v := 1.0
			for i := range m.k {
				switch exps[a][i] + exps[b][i] {
				case 1, 3:
					v = 0
				case 2:
					v /= 3
				case 4:
					v /= 5
				}
			}
			w.SetSym(a, b, v)
		}
	}
	return w
}

// exchangeDesign returns an n-run design for the criterion. It is an
// error only when no random start gives a non-singular information matrix.
func exchangeDesign(ctx context.Context, k, n int, crit xchCriterion, seed uint64) (doeMatrix, error) {
	model := newXchModel(k, n >= newXchModel(k, true).p())
	rng := stats.NewNumpyGenerator(seed)
	var w *mat.SymDense
	if crit == xchI {
		w = model.moments()
	}
	budget := xchWorkBudget / xchTries
	var best doeMatrix
	bestVal := math.Inf(1)
	for range xchTries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x, ok := xchRandomStart(rng, model, n)
		if !ok {
			continue
		}
		val := xchImprove(ctx, x, model, crit, w, budget)
		if val < bestVal {
			best, bestVal = x, val
		}
	}
	if best == nil {
		return nil, errXchSingular
	}
	return best, nil
}

type xchError string

func (e xchError) Error() string { return string(e) }

const errXchSingular = xchError("no random start gave a non-singular information matrix")

// xchRandomStart draws n runs with every level from {−1, 0, 1}, retrying (up
// to 50 times) until XᵀX is non-singular.
func xchRandomStart(rng *stats.NumpyGenerator, model xchModel, n int) (doeMatrix, bool) {
	for range 50 {
		x := make(doeMatrix, n)
		for i := range x {
			x[i] = make([]float64, model.k)
			for j := range x[i] {
				x[i][j] = float64(rng.Interval(2)) - 1
			}
		}
		if _, ok := xchInverse(x, model); ok {
			return x, true
		}
	}
	return nil, false
}

// xchInverse returns (XᵀX)⁻¹ of the model matrix, false when XᵀX
// is not positive definite.
func xchInverse(x doeMatrix, model xchModel) (*mat.SymDense, bool) {
	p := model.p()
	m := mat.NewSymDense(p, nil)
	f := make([]float64, p)
	for _, row := range x {
		model.expand(row, f)
		m.SymRankOne(m, 1, mat.NewVecDense(p, f))
	}
	var ch mat.Cholesky
	if !ch.Factorize(m) {
		return nil, false
	}
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		return nil, false
	}
	if c := ch.Cond(); c > 1e12 || math.IsNaN(c) {
		return nil, false
	}
	return &inv, true
}

// xchCriterionValue is the value to minimise: −log det XᵀX for D, trace of
// (XᵀX)⁻¹ for A, trace((XᵀX)⁻¹W) for I.
func xchCriterionValue(x doeMatrix, model xchModel, crit xchCriterion, w *mat.SymDense) (float64, *mat.SymDense, bool) {
	inv, ok := xchInverse(x, model)
	if !ok {
		return math.Inf(1), nil, false
	}
	p := model.p()
	switch crit {
	case xchD:
		var ch mat.Cholesky
		if !ch.Factorize(inv) {
			return math.Inf(1), nil, false
		}
		return ch.LogDet(), inv, true // log det (XᵀX)⁻¹ = −log det XᵀX
	case xchA:
		t := 0.0
		for i := range p {
			t += inv.At(i, i)
		}
		return t, inv, true
	}
	t := 0.0
	for i := range p {
		for j := range p {
			t += inv.At(i, j) * w.At(j, i)
		}
	}
	return t, inv, true
}

// xchImprove improves x in place: for each run and factor it tries
// the other two levels and keeps the best strict improvement, pass after
// pass until a pass changes nothing or the work budget (in units of about
// one multiply–add) is spent. An exchange of run f(x) for f(y) updates
// A = (XᵀX)⁻¹ by adding y, then removing x (Sherman–Morrison), which is
// defined whenever Fedorov's Δ = (1 + f(y)ᵀAf(y))(1 − f(x)ᵀAf(x)) +
// (f(x)ᵀAf(y))² is positive; each pass ends with a fresh inverse. It
// returns the final criterion value.
func xchImprove(ctx context.Context, x doeMatrix, model xchModel, crit xchCriterion, w *mat.SymDense, budget float64) float64 {
	p := model.p()
	n := float64(len(x))
	pp := float64(p * p)
	val, inv, ok := xchCriterionValue(x, model, crit, w)
	if !ok {
		return math.Inf(1)
	}
	fx := make([]float64, p)
	fy := make([]float64, p)
	fxv, fyv := mat.NewVecDense(p, fx), mat.NewVecDense(p, fy)
	u := mat.NewVecDense(p, nil) // A f(x)
	v := mat.NewVecDense(p, nil) // A f(y)
	s := mat.NewVecDense(p, nil) // A' f(x) once y is added
	ws := mat.NewVecDense(p, nil)
	wv := mat.NewVecDense(p, nil)
	// gain returns the decrease of the criterion for exchanging f(x) (in
	// fx, u and dxx) for f(y) (in fy), leaving v and s set for it.
	gain := func(dxx float64) (float64, bool) {
		v.MulVec(inv, fyv)
		dyy := mat.Dot(fyv, v)
		dxy := mat.Dot(fxv, v)
		ratio := (1+dyy)*(1-dxx) + dxy*dxy
		if !(ratio > 1e-12) {
			return 0, false
		}
		if crit == xchD {
			return math.Log(ratio), true
		}
		s.AddScaledVec(u, -dxy/(1+dyy), v)
		c := ratio / (1 + dyy)
		if crit == xchA {
			return mat.Dot(v, v)/(1+dyy) - mat.Dot(s, s)/c, true
		}
		wv.MulVec(w, v)
		ws.MulVec(w, s)
		return mat.Dot(v, wv)/(1+dyy) - mat.Dot(s, ws)/c, true
	}
	perTrial := 2 * pp
	if crit == xchI {
		perTrial = 4 * pp
	}
	work := 0.0
	for pass := 0; pass < 100; pass++ {
		changed := false
		for r := range x {
			if work > budget || ctx.Err() != nil {
				return val
			}
			for j := range model.k {
				model.expand(x[r], fx)
				u.MulVec(inv, fxv)
				dxx := mat.Dot(fxv, u)
				cur := x[r][j]
				bestGain, bestLevel := 0.0, cur
				for _, level := range []float64{-1, 0, 1} {
					if level == cur {
						continue
					}
					work += perTrial
					x[r][j] = level
					model.expand(x[r], fy)
					x[r][j] = cur
					if g, ok := gain(dxx); ok && g > bestGain {
						bestGain, bestLevel = g, level
					}
				}
				if bestLevel == cur || bestGain <= 1e-10*math.Max(1, math.Abs(val)) {
					continue
				}
				// Apply: A'' = A − vvᵀ/(1+dyy) + ssᵀ/c for the best level.
				x[r][j] = bestLevel
				model.expand(x[r], fy)
				if _, ok := gain(dxx); !ok {
					x[r][j] = cur
					continue
				}
				dyy := mat.Dot(fyv, v)
				c := 1 - (dxx - math.Pow(mat.Dot(fxv, v), 2)/(1+dyy))
				inv.SymRankOne(inv, -1/(1+dyy), v)
				inv.SymRankOne(inv, 1/c, s)
				val -= bestGain
				work += 4 * pp
				changed = true
			}
		}
		// A fresh inverse and value against drift.
		work += n*pp + pp*float64(p)
		nv, ninv, ok := xchCriterionValue(x, model, crit, w)
		if !ok {
			return math.Inf(1)
		}
		val, inv = nv, ninv
		if !changed {
			break
		}
	}
	return val
}
