package experiments

import (
	"context"
	"math"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
)

// Derringer–Suich desirability (the seed's optimization.py). Each response ŷ
// maps to d ∈ [0, 1]:
//
//	maximize: 0 for ŷ ≤ low, 1 for ŷ ≥ high, ((ŷ − low)/(high − low))^w between;
//	minimize: 1 for ŷ ≤ low, 0 for ŷ ≥ high, ((high − ŷ)/(high − low))^w between;
//	target:   0 outside (low, high), ((ŷ − low)/(target − low))^w up to the
//	          target, ((high − ŷ)/(high − target))^w above it;
//
// w being the goal's weight (default 1). The composite is the weighted
// geometric mean D = exp(Σ vᵢ·ln dᵢ / Σ vᵢ) with importances v, and 0 when
// any dᵢ is 0 or Σ vᵢ = 0.

// optDesirability returns d for the value y and its derivative with respect
// to y divided by d (the derivative of ln d; 0 where d is flat or 0).
func optDesirability(y float64, g optGoal) (d, dlog float64) {
	w := g.weight()
	switch g.Goal {
	case "maximize":
		switch {
		case y <= g.Low:
			return 0, 0
		case y >= g.High:
			return 1, 0
		}
		return math.Pow((y-g.Low)/(g.High-g.Low), w), w / (y - g.Low)
	case "minimize":
		switch {
		case y <= g.Low:
			return 1, 0
		case y >= g.High:
			return 0, 0
		}
		return math.Pow((g.High-y)/(g.High-g.Low), w), -w / (g.High - y)
	default: // target; Check makes sure the target is given
		t := *g.Target
		switch {
		case y <= g.Low || y >= g.High:
			return 0, 0
		case y <= t:
			return math.Pow((y-g.Low)/(t-g.Low), w), w / (y - g.Low)
		}
		return math.Pow((g.High-y)/(g.High-t), w), -w / (g.High - y)
	}
}

// optComposite is the seed's _composite_desirability.
func optComposite(d, importance []float64) float64 {
	if len(d) == 0 {
		return 0
	}
	for _, v := range d {
		if v == 0 {
			return 0
		}
	}
	var logD, wSum float64
	for i, v := range d {
		logD += importance[i] * math.Log(v)
		wSum += importance[i]
	}
	if wSum == 0 {
		return 0
	}
	return math.Exp(logD / wSum)
}

// optDesirabilityProblem is −D as a function of the coded settings, with its
// gradient, for stats.MinimizeBox.
type optDesirabilityProblem struct {
	models     []optModel
	goals      []optGoal
	importance []float64
	// scratch
	d, dlog, y []float64
}

func newOptDesirabilityProblem(models []optModel, goals []optGoal, importance []float64) *optDesirabilityProblem {
	n := len(models)
	return &optDesirabilityProblem{models: models, goals: goals, importance: importance,
		d: make([]float64, n), dlog: make([]float64, n), y: make([]float64, n)}
}

// negD returns −D(x) and, when grad is not nil, its gradient.
func (p *optDesirabilityProblem) negD(x, grad []float64) float64 {
	for i, m := range p.models {
		p.y[i] = m.eval(x)
		p.d[i], p.dlog[i] = optDesirability(p.y[i], p.goals[i])
	}
	for i := range grad {
		grad[i] = 0
	}
	D := optComposite(p.d, p.importance)
	if D == 0 || grad == nil {
		return -D
	}
	var wSum float64
	for _, w := range p.importance {
		wSum += w
	}
	// ∂D/∂x = D · Σ (vᵢ/Σv)·(d ln dᵢ/dŷᵢ)·∇ŷᵢ
	for i, m := range p.models {
		if c := p.importance[i] / wSum * p.dlog[i]; c != 0 {
			m.grad(x, -D*c, grad)
		}
	}
	return -D
}

type optDesirabilityResult struct {
	OptimalCoded  pydict.Dict  `json:"optimal_coded"`
	Predicted     pydict.Dict  `json:"predicted_responses"`
	Individual    pydict.Dict  `json:"individual_desirability"`
	Composite     pyfmt.Float  `json:"composite_desirability"`
	Success       bool         `json:"optimizer_success"`
	OptimalActual *pydict.Dict `json:"optimal_actual,omitempty"`
}

// optEvalBudget bounds the term evaluations of one desirability search (a
// second at most).
const optEvalBudget = 200_000_000

// optSmoothStages are the smoothing widths of the continuation in
// optMaximizeDesirability, in units of ln d.
var optSmoothStages = []float64{1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10}

// logPieces returns the smooth pieces whose minimum is ln d for the value y
// of goal g, with their derivatives in y, or zero = true where d = 0 (ln d =
// −∞). A maximize goal is min(w·ln((y − low)/(high − low)), 0), a minimize
// goal its mirror, and a target goal the smaller of its rising and falling
// ramps (each only when the target lies inside (low, high) on that side).
func logPieces(y float64, g optGoal) (val, der [2]float64, n int, zero bool) {
	w := g.weight()
	switch g.Goal {
	case "maximize":
		if !(y > g.Low) {
			return val, der, 0, true
		}
		return [2]float64{w * math.Log((y-g.Low)/(g.High-g.Low)), 0}, [2]float64{w / (y - g.Low), 0}, 2, false
	case "minimize":
		if !(y < g.High) {
			return val, der, 0, true
		}
		return [2]float64{w * math.Log((g.High-y)/(g.High-g.Low)), 0}, [2]float64{-w / (g.High - y), 0}, 2, false
	}
	if !(y > g.Low && y < g.High) {
		return val, der, 0, true
	}
	t := *g.Target
	if t > g.Low {
		val[n], der[n] = w*math.Log((y-g.Low)/(t-g.Low)), w/(y-g.Low)
		n++
	}
	if t < g.High {
		val[n], der[n] = w*math.Log((g.High-y)/(g.High-t)), -w/(g.High-y)
		n++
	}
	return val, der, n, false
}

// negSmoothLogD returns −F_μ(x), F_μ = Σ vᵢ·sminμ(pieces of ln dᵢ)/Σ v the
// composite's logarithm with every kink rounded off over a width μ
// (smin_μ(a) = min a − μ·ln Σ exp(−(aⱼ − min a)/μ)), and its gradient. It is
// +Inf where some d is 0.
func (p *optDesirabilityProblem) negSmoothLogD(mu float64) func(x, grad []float64) float64 {
	var wSum float64
	for _, w := range p.importance {
		wSum += w
	}
	return func(x, grad []float64) float64 {
		for i := range grad {
			grad[i] = 0
		}
		var f float64
		for i, m := range p.models {
			y := m.eval(x)
			val, der, n, zero := logPieces(y, p.goals[i])
			if zero {
				return math.Inf(1)
			}
			lo := val[0]
			for j := 1; j < n; j++ {
				lo = math.Min(lo, val[j])
			}
			var sum, dsum float64
			for j := 0; j < n; j++ {
				e := math.Exp(-(val[j] - lo) / mu)
				sum += e
				dsum += e * der[j]
			}
			v := p.importance[i] / wSum
			f += v * (lo - mu*math.Log(sum))
			if grad != nil && v != 0 {
				m.grad(x, -v*dsum/sum, grad)
			}
		}
		return -f
	}
}

// optMaximizeDesirability maximises D over the coded cube [−1, 1]^k from the
// seed's ten starts (the centre and nine default_rng(42) uniform draws) and
// keeps the first best: a later start replaces it only with a strictly
// larger D. The seed ran SLSQP from each start; here each start runs
// stats.MinimizeBox, first on ln D with its kinks smoothed over widths
// μ = 10⁻², 10⁻³, …, 10⁻¹⁰ in turn (each run starting where the last
// stopped), then on −D itself. D has kinks wherever a response reaches its
// target or the good end of its ramp, and the best settings often lie on
// such a ridge; a quasi-Newton method on −D alone stalls there, the
// smoothed problems lead along it. A start where D = 0 stays where it is,
// as SLSQP does (the gradient vanishes there).
func optMaximizeDesirability(ctx context.Context, p *optDesirabilityProblem, responseNames, factorNames []string,
	ranges map[string]optRange) (optDesirabilityResult, error) {
	k := len(factorNames)
	lo, hi := make([]float64, k), make([]float64, k)
	for i := range lo {
		lo[i], hi[i] = -1, 1
	}
	var wSum float64
	for _, w := range p.importance {
		wSum += w
	}
	// Bound the work: about optEvalBudget term evaluations in all, shared
	// evenly by the ten starts and the runs of each.
	terms := k
	for _, m := range p.models {
		terms += len(m.terms)
	}
	runs := 10 * (len(optSmoothStages) + 1)
	set := &stats.BoxSettings{MaxEvals: max(200, optEvalBudget/terms/runs)}
	var best stats.BoxResult
	bestVal := math.Inf(1)
	for _, x0 := range desirabilityStarts(k) {
		if err := ctx.Err(); err != nil {
			return optDesirabilityResult{}, err
		}
		x := x0
		if p.negD(x0, nil) < 0 && wSum > 0 {
			for _, mu := range optSmoothStages {
				x = stats.MinimizeBox(p.negSmoothLogD(mu), x, lo, hi, set).X
			}
		}
		r := stats.MinimizeBox(p.negD, x, lo, hi, set)
		if r.F < bestVal || best.X == nil {
			bestVal, best = r.F, r
		}
	}
	x := best.X
	out := optDesirabilityResult{
		OptimalCoded: aeNamedFloats(factorNames, x),
		Composite:    pyfmt.Float(-bestVal),
		Success:      best.Converged,
	}
	for i, m := range p.models {
		y := m.eval(x)
		d, _ := optDesirability(y, p.goals[i])
		out.Predicted.Set(responseNames[i], pyfmt.Float(y))
		out.Individual.Set(responseNames[i], pyfmt.Float(d))
	}
	if len(ranges) > 0 {
		a := optActual(factorNames, x, ranges)
		out.OptimalActual = &a
	}
	return out, nil
}
