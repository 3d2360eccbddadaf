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
	prevFree := make([]bool, k)
	d := make([]float64, k)
	xt := make([]float64, k)
	gt := make([]float64, k)
	s := make([]float64, k)
	y := make([]float64, k)
	fresh := true // h is a (scaled) identity not yet updated
	stalls := 0

	for res.Iterations = 0; res.Iterations < set.MaxIter; res.Iterations++ {
		// 1. Projected gradient and active set.
		pgMax := 0.0
		changed := false
		for i := range x {
			free[i] = !(x[i] <= lo[i] && g[i] > 0) && !(x[i] >= hi[i] && g[i] < 0) && lo[i] < hi[i]
			if free[i] {
				pgMax = math.Max(pgMax, math.Abs(g[i]))
			}
			if free[i] != prevFree[i] {
				changed = true
			}
		}
		copy(prevFree, free)
		if pgMax <= set.GradTol {
			res.Converged = true
			break
		}
		if changed && !fresh {
			h, fresh = boxIdentity(k), true
		}

		// 2. Direction.
		slope := b.direction(d, h, g, free)
		if slope >= 0 && !fresh {
			h, fresh = boxIdentity(k), true
			slope = b.direction(d, h, g, free)
		}

		// 3. Projected backtracking line search.
		ft, ok := b.lineSearch(x, fx, g, d, xt, gt)
		if !ok && !fresh {
			h, fresh = boxIdentity(k), true
			b.direction(d, h, g, free)
			ft, ok = b.lineSearch(x, fx, g, d, xt, gt)
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

		decrease := fx - ft
		copy(x, xt)
		copy(g, gt)
		fx = ft
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

// direction writes d = −H·g on the free coordinates (0 elsewhere) and
// returns the directional derivative g·d.
func (b *boxSearch) direction(d []float64, h [][]float64, g []float64, free []bool) float64 {
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
		slope += g[i] * d[i]
	}
	return slope
}

// lineSearch backtracks along P(x + t·d) from t = 1 (shortened first so
// that no coordinate moves further than the box is wide) and returns the
// accepted point in xt, its gradient in gt and its value. ok is false when
// no t down to 2⁻⁶⁰ of the first lowers f by Armijo's condition.
func (b *boxSearch) lineSearch(x []float64, fx float64, g, d, xt, gt []float64) (float64, bool) {
	const armijo = 1e-4
	t := 1.0
	for i := range d {
		if w := b.hi[i] - b.lo[i]; math.Abs(d[i])*t > w && w > 0 {
			t = w / math.Abs(d[i])
		}
	}
	for range 60 {
		var dec float64
		moved := false
		for i := range x {
			xt[i] = boxClamp(x[i]+t*d[i], b.lo[i], b.hi[i])
			dec += g[i] * (xt[i] - x[i])
			if xt[i] != x[i] {
				moved = true
			}
		}
		if !moved {
			return fx, false
		}
		if dec < 0 {
			if ft := b.eval(xt, gt); ft <= fx+armijo*dec {
				return ft, true
			}
		}
		t /= 2
	}
	return fx, false
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
