package stats

import "math"

// A bounded minimiser for small problems: minimise f(x) subject to
// lo ≤ x ≤ hi, coordinate by coordinate. gonum's optimize package has no box
// constraints, and the seed's optimize_responses relied on scipy's SLSQP for
// them; this is a projected quasi-Newton method in the spirit of L-BFGS-B,
// with a dense inverse-Hessian approximation, which suits the few dimensions
// of a designed experiment.
//
// Each iteration:
//
//  1. The projected gradient sets to 0 each component that points out of the
//     box at a coordinate sitting on its bound; those coordinates are held
//     (the active set), and the method stops when the largest remaining
//     component is at most BoxSettings.GradTol.
//  2. On the free coordinates the direction is −H·g, H the BFGS inverse
//     Hessian approximation; H restarts from a scaled identity whenever the
//     active set changes or the direction is not one of descent.
//  3. A backtracking line search along the projected path P(x + t·d), with
//     P the clamp onto the box, accepts the first t (1, ½, ¼, …) that meets
//     Armijo's condition f(x_t) ≤ f(x) + 10⁻⁴·g·(x_t − x).
//  4. H is updated from the step and the change in gradient when their
//     product is positive.
//
// It also stops when an iteration lowers f by no more than FuncTol relative
// to |f| (or absolutely, for |f| < 1) twice in a row, or when the line search
// cannot lower f even along the steepest-descent direction — a minimum to
// working precision, typically at a kink of a non-smooth f. Those stops count
// as converged; running out of iterations does not.

// BoxSettings tunes MinimizeBox. The zero value of a field means its default.
type BoxSettings struct {
	// MaxIter caps the iterations. Defaults to 200.
	MaxIter int
	// GradTol is the stopping threshold on the largest projected-gradient
	// component. Defaults to 1e-10.
	GradTol float64
	// FuncTol is the stopping threshold on the relative decrease of f.
	// Defaults to 1e-15.
	FuncTol float64
	// MaxEvals caps the calls of f: the search stops, unconverged, at the
	// first iteration that starts with more. Defaults to no cap.
	MaxEvals int
}

func (s *BoxSettings) withDefaults() BoxSettings {
	out := BoxSettings{MaxIter: 200, GradTol: 1e-10, FuncTol: 1e-15}
	if s != nil {
		if s.MaxIter > 0 {
			out.MaxIter = s.MaxIter
		}
		if s.GradTol > 0 {
			out.GradTol = s.GradTol
		}
		if s.FuncTol > 0 {
			out.FuncTol = s.FuncTol
		}
		out.MaxEvals = s.MaxEvals
	}
	return out
}

// BoxResult is the outcome of MinimizeBox.
type BoxResult struct {
	// X is the best point found, inside the box.
	X []float64
	// F is f(X).
	F float64
	// Converged reports a stop on a stopping rule rather than on MaxIter.
	Converged bool
	// Iterations and Evaluations count iterations and calls of f.
	Iterations, Evaluations int
}

// BoxObjective evaluates the function at x and, when grad is not nil, writes
// its gradient into grad (len(x) values). It must not keep x or grad.
type BoxObjective func(x, grad []float64) float64

// MinimizeBox minimises f over the box lo ≤ x ≤ hi from x0 (clamped into the
// box first) and returns the best point found. lo, hi and x0 must have the
// same length with lo[i] ≤ hi[i], all finite; MinimizeBox panics otherwise.
// A NaN value of f counts as +Inf, so the search moves away from it; if f is
// NaN at the start the start is returned, unconverged.
func MinimizeBox(f BoxObjective, x0, lo, hi []float64, settings *BoxSettings) BoxResult {
	k := len(x0)
	if len(lo) != k || len(hi) != k {
		panic("stats: MinimizeBox: x0, lo and hi differ in length")
	}
	for i := range lo {
		if !(lo[i] <= hi[i]) || math.IsInf(lo[i], 0) || math.IsInf(hi[i], 0) {
			panic("stats: MinimizeBox: bounds must be finite with lo ≤ hi")
		}
	}
	set := settings.withDefaults()
	b := &boxSearch{f: f, lo: lo, hi: hi, k: k}

	x := make([]float64, k)
	for i := range x {
		x[i] = boxClamp(x0[i], lo[i], hi[i])
	}
	g := make([]float64, k)
	fx := b.eval(x, g)
	res := BoxResult{X: x, F: fx}
	if math.IsInf(fx, 1) {
		res.Evaluations = b.evals
		return res
	}

	h := boxIdentity(k)
	free := make([]bool, k)
	d := make([]float64, k)
	xt := make([]float64, k)
	gt := make([]float64, k)
	s := make([]float64, k)
	y := make([]float64, k)
	fresh := true // h is a (scaled) identity not yet updated
	stalls := 0

	for res.Iterations = 0; res.Iterations < set.MaxIter; res.Iterations++ {
		if set.MaxEvals > 0 && b.evals > set.MaxEvals {
			break
		}
		// 1. Projected gradient and active set.
		pgMax := 0.0
		for i := range x {
			free[i] = !(x[i] <= lo[i] && g[i] > 0) && !(x[i] >= hi[i] && g[i] < 0) && lo[i] < hi[i]
			if free[i] {
				pgMax = math.Max(pgMax, math.Abs(g[i]))
			}
		}
		if pgMax <= set.GradTol {
			res.Converged = true
			break
		}

		// 2. Direction, then 3. line search; on failure, once more along
		// the steepest-descent direction.
		var (
			fNew float64
			ok   bool
		)
		for attempt := 0; attempt < 2; attempt++ {
			slope := b.direction(d, h, g, free, x)
			if !(slope < 0) && !fresh {
				h, fresh = boxIdentity(k), true
				slope = b.direction(d, h, g, free, x)
			}
			if !(slope < 0) {
				break
			}
			if fNew, ok = b.lineSearch(x, fx, slope, d, xt, gt); ok || fresh {
				break
			}
			h, fresh = boxIdentity(k), true
		}
		if !ok {
			res.Converged = true // no descent along −g: a minimum to working precision
			break
		}

		// 4. BFGS update of the inverse Hessian.
		var sy, yy float64
		for i := range x {
			s[i] = xt[i] - x[i]
			y[i] = gt[i] - g[i]
			sy += s[i] * y[i]
			yy += y[i] * y[i]
		}
		if sy > 1e-12*math.Sqrt(yy)*boxNorm2(s) && sy > 0 {
			if fresh {
				boxScaleIdentity(h, sy/yy) // Nocedal & Wright (6.20)
				fresh = false
			}
			boxBFGSUpdate(h, s, y, sy)
		}

		decrease := fx - fNew
		copy(x, xt)
		copy(g, gt)
		fx = fNew
		if decrease <= set.FuncTol*math.Max(1, math.Abs(fx)) {
			stalls++
			if stalls >= 2 {
				res.Converged = true
				res.Iterations++
				break
			}
		} else {
			stalls = 0
		}
	}
	res.X, res.F, res.Evaluations = x, fx, b.evals
	return res
}

// boxSearch holds what the steps of MinimizeBox share.
type boxSearch struct {
	f      BoxObjective
	lo, hi []float64
	k      int
	evals  int
	xa, ga []float64 // line search: the best point so far and its gradient
}

// eval calls f, mapping NaN to +Inf.
func (b *boxSearch) eval(x, grad []float64) float64 {
	b.evals++
	v := b.f(x, grad)
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return v
}

// direction writes d = −H·g on the free coordinates (0 elsewhere), drops
// the components that would leave the box from a coordinate on its bound,
// and returns the directional derivative g·d.
func (b *boxSearch) direction(d []float64, h [][]float64, g []float64, free []bool, x []float64) float64 {
	var slope float64
	for i := range d {
		d[i] = 0
		if !free[i] {
			continue
		}
		for j := range g {
			if free[j] {
				d[i] -= h[i][j] * g[j]
			}
		}
		if (x[i] <= b.lo[i] && d[i] < 0) || (x[i] >= b.hi[i] && d[i] > 0) {
			d[i] = 0
		}
		slope += g[i] * d[i]
	}
	return slope
}

// lineSearch looks along x + t·d, t ∈ (0, t_max], t_max the step at which
// the first free coordinate reaches its bound, for a point that meets the
// weak Wolfe conditions f(x_t) ≤ f(x) + 10⁻⁴·t·slope and
// ∇f(x_t)·d ≥ ½·slope, by doubling and bisection as Lewis & Overton
// ("Nonsmooth optimization via quasi-Newton methods", 2013) do for
// functions with kinks; at t_max the first condition suffices. The accepted
// point goes to xt and its gradient to gt. When no Wolfe point turns up
// within 60 trials the lowest point that meets the first condition is taken;
// ok is false when there is none.
func (b *boxSearch) lineSearch(x []float64, fx, slope float64, d, xt, gt []float64) (float64, bool) {
	const (
		armijo = 1e-4
		wolfe  = 0.5
	)
	// tMax: the step at which a free coordinate first reaches its bound.
	tMax := math.Inf(1)
	for i := range d {
		if ti := b.stepToBound(x, d, i); ti < tMax {
			tMax = ti
		}
	}
	if !(tMax > 0) {
		return fx, false
	}
	if b.xa == nil {
		b.xa, b.ga = make([]float64, b.k), make([]float64, b.k)
	}
	fBest, found := math.Inf(1), false
	tLo, tHi := 0.0, math.Inf(1)
	t := math.Min(1, tMax)
	for range 60 {
		moved := false
		for i := range x {
			xt[i] = boxClamp(x[i]+t*d[i], b.lo[i], b.hi[i])
			if t == tMax && b.stepToBound(x, d, i) == tMax {
				// land exactly on the bound, whatever the rounding of x + t·d
				xt[i] = b.lo[i]
				if d[i] > 0 {
					xt[i] = b.hi[i]
				}
			}
			if xt[i] != x[i] {
				moved = true
			}
		}
		if !moved {
			break
		}
		ft := b.eval(xt, gt)
		if ft > fx+armijo*t*slope {
			tHi = t
		} else {
			if ft < fBest {
				fBest, found = ft, true
				copy(b.xa, xt)
				copy(b.ga, gt)
			}
			var gd float64
			for i := range d {
				gd += gt[i] * d[i]
			}
			if gd >= wolfe*slope || t >= tMax {
				return ft, true
			}
			tLo = t
		}
		if math.IsInf(tHi, 1) {
			t = math.Min(2*tLo, tMax)
		} else {
			t = (tLo + tHi) / 2
		}
	}
	if !found {
		return fx, false
	}
	copy(xt, b.xa)
	copy(gt, b.ga)
	return fBest, true
}

// stepToBound returns the step t at which x[i] + t·d[i] reaches its bound
// (+Inf when d[i] = 0).
func (b *boxSearch) stepToBound(x, d []float64, i int) float64 {
	switch {
	case d[i] > 0:
		return (b.hi[i] - x[i]) / d[i]
	case d[i] < 0:
		return (b.lo[i] - x[i]) / d[i]
	}
	return math.Inf(1)
}

func boxClamp(v, lo, hi float64) float64 {
	return math.Min(math.Max(v, lo), hi)
}

func boxIdentity(k int) [][]float64 {
	h := make([][]float64, k)
	for i := range h {
		h[i] = make([]float64, k)
		h[i][i] = 1
	}
	return h
}

func boxScaleIdentity(h [][]float64, c float64) {
	for i := range h {
		h[i][i] = c
	}
}

func boxNorm2(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}

// boxBFGSUpdate applies the BFGS update of the inverse Hessian approximation,
// H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ with ρ = 1/(sᵀy), in place.
func boxBFGSUpdate(h [][]float64, s, y []float64, sy float64) {
	k := len(s)
	rho := 1 / sy
	hy := make([]float64, k)
	var yhy float64
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			hy[i] += h[i][j] * y[j]
		}
		yhy += y[i] * hy[i]
	}
	// H is symmetric, so yᵀH = (Hy)ᵀ.
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			h[i][j] += -rho*(s[i]*hy[j]+hy[i]*s[j]) + (rho*rho*yhy+rho)*s[i]*s[j]
		}
	}
}
