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

// xchTries is pyoptex's default number of random starts; large designs get
// fewer (at least one), so that each start can make about three passes.
const xchTries = 10

// xchWorkBudget bounds the multiply–adds of one design, counted, not
// timed, so the result stays reproducible: about a second of work. Large
// designs stop improving when it is spent.
const xchWorkBudget = 3e8

// xchModel lists the model terms: the intercept, the main effects and, if
// interactions is set, the two-factor interactions in patsy's order.
type xchModel struct {
	k     int
	pairs [][2]int
	// touch[j] lists the terms that involve factor j: its main effect and
	// its interactions, with the other factor of each (−1 for the main
	// effect).
	touch [][][2]int
}

func newXchModel(k int, interactions bool) xchModel {
	m := xchModel{k: k, touch: make([][][2]int, k)}
	for j := range k {
		m.touch[j] = append(m.touch[j], [2]int{1 + j, -1})
	}
	if interactions {
		for i := range k {
			for j := i + 1; j < k; j++ {
				t := 1 + k + len(m.pairs)
				m.pairs = append(m.pairs, [2]int{i, j})
				m.touch[i] = append(m.touch[i], [2]int{t, j})
				m.touch[j] = append(m.touch[j], [2]int{t, i})
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

// momentsDiagonal returns E[f(x)f(x)ᵀ] for x uniform on [−1, 1]^k, which
// for this model (no squared terms) is diagonal: 1 for the intercept, 1/3
// for a main effect, 1/9 for an interaction.
func (m xchModel) momentsDiagonal() []float64 {
	w := make([]float64, m.p())
	w[0] = 1
	for j := range m.k {
		w[1+j] = 1.0 / 3
	}
	for t := range m.pairs {
		w[1+m.k+t] = 1.0 / 9
	}
	return w
}

// exchangeDesign returns an n-run design for the criterion. It is an
// error only when no random start gives a non-singular information matrix.
func exchangeDesign(ctx context.Context, k, n int, crit xchCriterion, seed uint64) (doeMatrix, error) {
	model := newXchModel(k, n >= newXchModel(k, true).p())
	p := float64(model.p())
	rng := stats.NewNumpyGenerator(seed)
	// The cost of one start (the information matrix and its inverse) and
	// of one pass (a row's p² plus its 2k trials' ~ p·k each).
	start := float64(n)*p*p + p*p*p
	pass := float64(n) * (p*p + 2*float64(k)*(p*float64(k)+6*p))
	tries := int(math.Max(1, math.Min(xchTries, xchWorkBudget/(start+3*pass))))
	budget := xchWorkBudget / float64(tries)
	var best doeMatrix
	bestVal := math.Inf(1)
	for range tries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		x, s, ok := xchRandomStart(rng, model, crit, n)
		if !ok {
			continue
		}
		val := s.improve(ctx, budget-start)
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
func xchRandomStart(rng *stats.NumpyGenerator, model xchModel, crit xchCriterion, n int) (doeMatrix, *xchState, bool) {
	for range 50 {
		x := make(doeMatrix, n)
		for i := range x {
			x[i] = make([]float64, model.k)
			for j := range x[i] {
				x[i][j] = float64(rng.Interval(2)) - 1
			}
		}
		s := &xchState{x: x, model: model, crit: crit}
		if crit == xchI {
			s.w = model.momentsDiagonal()
		}
		if s.refresh() {
			return x, s, true
		}
	}
	return nil, nil, false
}

// xchState is a design under exchange: the runs, A = (XᵀX)⁻¹ (p×p, row
// major) and the criterion value to minimise (−log det XᵀX for D, trace A
// for A, trace AW for I).
type xchState struct {
	x     doeMatrix
	model xchModel
	crit  xchCriterion
	w     []float64 // the I criterion's diagonal moments
	a     []float64
	val   float64
}

// refresh recomputes A and the value from the runs; false when XᵀX is not
// positive definite or badly conditioned.
func (s *xchState) refresh() bool {
	p := s.model.p()
	f := mat.NewDense(len(s.x), p, nil)
	for i, row := range s.x {
		s.model.expand(row, f.RawRowView(i))
	}
	m := mat.NewSymDense(p, nil)
	m.SymOuterK(1, f.T())
	var ch mat.Cholesky
	if !ch.Factorize(m) {
		return false
	}
	if c := ch.Cond(); !(c < 1e12) {
		return false
	}
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		return false
	}
	s.a = make([]float64, p*p)
	for i := range p {
		for j := range p {
			s.a[i*p+j] = inv.At(i, j)
		}
	}
	switch s.crit {
	case xchD:
		s.val = -ch.LogDet()
	case xchA:
		s.val = 0
		for i := range p {
			s.val += s.a[i*p+i]
		}
	default:
		s.val = 0
		for i := range p {
			s.val += s.a[i*p+i] * s.w[i]
		}
	}
	return true
}

// improve runs coordinate-exchange passes until one changes nothing or the
// budget of multiply–adds is spent, and returns the final value. For run x
// and a new level of factor j only the terms of j change: f(y) = f(x) + Δ
// with Δ non-zero on j's main effect and interactions, so A f(y) = A f(x)
// + AΔ costs p per changed term. Fedorov's Δ = (1 + f(y)ᵀAf(y))(1 −
// f(x)ᵀAf(x)) + (f(x)ᵀAf(y))² is the determinant ratio; adding y and then
// removing x by Sherman–Morrison gives the A and I changes; each accepted
// change updates A in p² and each pass ends with a fresh A.
func (s *xchState) improve(ctx context.Context, budget float64) float64 {
	model := s.model
	p := model.p()
	pf := float64(p)
	fx := make([]float64, p)
	u := make([]float64, p)  // A f(x)
	v := make([]float64, p)  // A f(y)
	sv := make([]float64, p) // A' f(x) once y is added
	work := 0.0
	matVec := func(dst, vec []float64) {
		for i := range p {
			row := s.a[i*p : i*p+p]
			t := 0.0
			for j, x := range vec {
				t += row[j] * x
			}
			dst[i] = t
		}
	}
	dot := func(a, b []float64) float64 {
		t := 0.0
		for i, x := range a {
			t += x * b[i]
		}
		return t
	}
	wdot := func(a, b []float64) float64 {
		t := 0.0
		for i, x := range a {
			t += x * s.w[i] * b[i]
		}
		return t
	}
	// gain returns the decrease of the value for changing factor j of the
	// current run (fx, u, dxx) by delta, leaving v and sv set for it.
	gain := func(row []float64, j int, delta, dxx float64) (float64, bool) {
		copy(v, u)
		for _, tm := range model.touch[j] {
			d := delta
			if tm[1] >= 0 {
				d *= row[tm[1]]
			}
			if d == 0 {
				continue
			}
			col := tm[0]
			for i := range p {
				v[i] += s.a[i*p+col] * d
			}
		}
		// f(y) = f(x) + Δ: dyy = f(y)ᵀv, dxy = f(x)ᵀv.
		dxy := dot(fx, v)
		dyy := dxy
		for _, tm := range model.touch[j] {
			d := delta
			if tm[1] >= 0 {
				d *= row[tm[1]]
			}
			dyy += d * v[tm[0]]
		}
		ratio := (1+dyy)*(1-dxx) + dxy*dxy
		if !(ratio > 1e-12) {
			return 0, false
		}
		for i := range p {
			sv[i] = u[i] - v[i]*dxy/(1+dyy)
		}
		if s.crit == xchD {
			return math.Log(ratio), true
		}
		c := ratio / (1 + dyy)
		if s.crit == xchA {
			return dot(v, v)/(1+dyy) - dot(sv, sv)/c, true
		}
		return wdot(v, v)/(1+dyy) - wdot(sv, sv)/c, true
	}
	perTrial := pf*float64(model.k) + 6*pf
	for pass := 0; pass < 100; pass++ {
		changed := false
		for r := range s.x {
			if work > budget || ctx.Err() != nil {
				return s.val
			}
			row := s.x[r]
			model.expand(row, fx)
			matVec(u, fx)
			work += pf * pf
			for j := range model.k {
				dxx := dot(fx, u)
				cur := row[j]
				bestGain, bestLevel := 0.0, cur
				for _, level := range []float64{-1, 0, 1} {
					if level == cur {
						continue
					}
					work += perTrial
					if g, ok := gain(row, j, level-cur, dxx); ok && g > bestGain {
						bestGain, bestLevel = g, level
					}
				}
				if bestLevel == cur || bestGain <= 1e-10*math.Max(1, math.Abs(s.val)) {
					continue
				}
				// Apply: A'' = A − vvᵀ/(1+dyy) + sv svᵀ/c for the best level.
				if _, ok := gain(row, j, bestLevel-cur, dxx); !ok {
					continue
				}
				dxy := dot(fx, v)
				row[j] = bestLevel
				model.expand(row, fx) // now f(y)
				dyy := dot(fx, v)
				c := ((1+dyy)*(1-dxx) + dxy*dxy) / (1 + dyy)
				for i := range p {
					for t := range p {
						s.a[i*p+t] += -v[i]*v[t]/(1+dyy) + sv[i]*sv[t]/c
					}
				}
				s.val -= bestGain
				matVec(u, fx)
				work += 3 * pf * pf
				changed = true
			}
		}
		// A fresh inverse and value against drift.
		work += float64(len(s.x))*pf*pf + pf*pf*pf
		if !s.refresh() {
			return math.Inf(1)
		}
		if !changed {
			break
		}
	}
	return s.val
}
