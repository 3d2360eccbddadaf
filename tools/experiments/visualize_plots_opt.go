package experiments

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// Optimisation and design-quality plots: the seed's
// plots/optimization_plots.py and plots/design_quality.py.

// vizGoal is one response of a desirability or overlay chart.
type vizGoal struct {
	name                    string
	model                   *vizModel
	goal                    string
	low, high, target       float64
	weight, weightHigh, imp float64
	hasLow, hasHigh         bool
	autoRange               bool // no goal given: maximise over the predicted range
}

func vizOr(p *vizNumber, def float64) float64 {
	if p == nil {
		return def
	}
	return float64(*p)
}

// goals returns the responses of analysis_results.optimization, or a
// single response to maximise from the coefficients (or a fitted model).
func (v *vizCtx) goals() ([]vizGoal, error) {
	var out []vizGoal
	if v.hasOptimization() {
		for i, r := range v.analysis.Optimization.Responses {
			name := r.Name
			if name == "" {
				name = r.ResponseName
			}
			if name == "" {
				name = "Response " + strconv.Itoa(i+1)
			}
			m := vizModelFromCoefficients(r.Coefficients)
			if len(m.terms) == 0 {
				continue
			}
			goal := r.Goal
			if goal == "" {
				goal = "maximize"
			}
			w := vizOr(r.Weight, 1)
			out = append(out, vizGoal{name: name, model: m, goal: goal, low: vizOr(r.Low, 0), high: vizOr(r.High, 1),
				target: vizOr(r.Target, 0.5), weight: w, weightHigh: vizOr(r.WeightHigh, w), imp: vizOr(r.Importance, 1),
				hasLow: r.Low != nil, hasHigh: r.High != nil})
		}
		if len(out) == 0 {
			return nil, tool.Invalidf("analysis_results.optimization.responses has no response with coefficients")
		}
		return out, nil
	}
	m, err := v.model()
	if err != nil {
		return nil, err
	}
	return []vizGoal{{name: "Response", model: m, goal: "maximize", weight: 1, weightHigh: 1, imp: 1, autoRange: true}}, nil
}

// goalFactors returns the two plotted factors of a multi-response chart.
func (v *vizCtx) goalFactors(chart string, goals []vizGoal) (string, string, error) {
	all := &vizModel{}
	for _, g := range goals {
		all.terms = append(all.terms, g.model.terms...)
	}
	factors, err := v.modelFactors(all)
	if err != nil {
		return "", "", err
	}
	if len(factors) < 2 {
		return "", "", tool.Invalidf("%s needs at least 2 factors; the models have %d", chart, len(factors))
	}
	return factors[0], factors[1], nil
}

// desirability is the seed's _individual_desirability (Derringer–Suich).
func (g *vizGoal) desirability(y float64) float64 {
	switch g.goal {
	case "maximize":
		if y <= g.low {
			return 0
		}
		if y >= g.high {
			return 1
		}
		return math.Pow((y-g.low)/(g.high-g.low), g.weight)
	case "minimize":
		if y <= g.low {
			return 1
		}
		if y >= g.high {
			return 0
		}
		return math.Pow((g.high-y)/(g.high-g.low), g.weight)
	case "target":
		if y <= g.low || y >= g.high {
			return 0
		}
		if y <= g.target {
			return math.Pow((y-g.low)/(g.target-g.low), g.weight)
		}
		return math.Pow((g.high-y)/(g.high-g.target), g.weightHigh)
	}
	return 0
}

// vizComposite is the seed's _composite_desirability: the weighted
// geometric mean, 0 when any desirability is 0.
func vizComposite(d, w []float64) float64 {
	if len(d) == 0 {
		return 0
	}
	total := 0.0
	for i, x := range d {
		if x == 0 {
			return 0
		}
		total += w[i]
	}
	out := 1.0
	for i, x := range d {
		out *= math.Pow(x, w[i]/total)
	}
	return out
}

func (v *vizCtx) desirabilityContour() (*vizChart, error) {
	goals, err := v.goals()
	if err != nil {
		return nil, err
	}
	fx, fy, err := v.goalFactors("desirability_contour", goals)
	if err != nil {
		return nil, err
	}
	grids := make([][][]float64, len(goals))
	var xs, ys []float64
	for k := range goals {
		xs, ys, grids[k] = v.grid(goals[k].model, fx, fy, 50)
		if goals[k].autoRange {
			lo, hi, ok := vizFiniteRange(grids[k])
			if !ok || lo == hi {
				return nil, tool.Errorf("the predicted response is constant or not finite over the plotted region")
			}
			goals[k].low, goals[k].high = lo, hi
		}
	}
	weights := make([]float64, len(goals))
	for k, g := range goals {
		weights[k] = g.imp
	}
	z := make([][]float64, len(ys))
	d := make([]float64, len(goals))
	for i := range ys {
		z[i] = make([]float64, len(xs))
		for j := range xs {
			for k := range goals {
				d[k] = goals[k].desirability(grids[k][i][j])
			}
			z[i][j] = vizComposite(d, weights)
		}
	}
	zero, one := 0.0, 1.0
	p := vizNewPanel("Desirability: "+fx+" x "+fy, fx, fy)
	p.layers = []*vizLayer{{mark: vizMarkContour, x: &vizEncoding{field: "x", title: fx}, y: &vizEncoding{field: "y", title: fy},
		name: "Composite Desirability", style: vizStyle{xGrid: xs, yGrid: ys, zMatrix: z, scale: vizDesirabilityScale, zMin: &zero, zMax: &one}}}
	return &vizChart{panels: []*vizPanel{p}, title: "Desirability Contour: " + fx + " x " + fy, plotType: "desirability_contour"}, nil
}

func (v *vizCtx) overlay() (*vizChart, error) {
	goals, err := v.goals()
	if err != nil {
		return nil, err
	}
	fx, fy, err := v.goalFactors("overlay", goals)
	if err != nil {
		return nil, err
	}
	p := vizNewPanel("Overlay: "+fx+" x "+fy, fx, fy)
	for i, g := range goals {
		xs, ys, z := v.grid(g.model, fx, fy, 50)
		p.layers = append(p.layers, &vizLayer{mark: vizMarkContour, x: &vizEncoding{field: "x", title: fx}, y: &vizEncoding{field: "y", title: fy},
			name: g.name, color: vizFactorColor(i), style: vizStyle{xGrid: xs, yGrid: ys, zMatrix: z, lineContours: true, nContours: 8}})
		if g.hasLow && g.hasHigh {
			p.annotations = append(p.annotations, vizAnnotation{kind: vizAnnLabel,
				label: g.name + ": [" + pyfmt.Fixed(g.low, 2) + ", " + pyfmt.Fixed(g.high, 2) + "]", color: vizNeutral})
		}
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Overlay Plot: " + fx + " x " + fy, plotType: "overlay"}, nil
}

func (v *vizCtx) ridgeTrace() (*vizChart, error) {
	m, err := v.model()
	if err != nil {
		return nil, err
	}
	factors, err := v.modelFactors(m)
	if err != nil {
		return nil, err
	}
	k := len(factors)
	if k == 0 {
		return nil, tool.Invalidf("ridge_trace: the model has no factors")
	}
	if k > vizMaxRidgeFactors {
		return nil, errcode.New(errcode.InputTooLarge, "ridge_trace has %d factors; the most is %d (choose some with factors_to_plot)",
			k, vizMaxRidgeFactors).With("key", "factors_to_plot").With("limit", vizMaxRidgeFactors)
	}
	// y = b0 + b'x + x'Bx (the seed's _extract_b_and_B).
	b0 := m.intercept()
	b := mat.NewVecDense(k, nil)
	B := mat.NewSymDense(k, nil)
	for i, fi := range factors {
		b.SetVec(i, m.linearTerm(fi))
		B.SetSym(i, i, m.quadratic(fi))
		for j := i + 1; j < k; j++ {
			B.SetSym(i, j, m.interaction(fi, factors[j])/2)
		}
	}
	rhs := mat.NewVecDense(k, nil)
	rhs.ScaleVec(-0.5, b)
	radii := stats.Linspace(0, 1.5, 30)
	mus := stats.Linspace(-10, 10, 200)
	response := make([]float64, len(radii))
	traces := make([][]float64, k)
	for i := range traces {
		traces[i] = make([]float64, len(radii))
	}
	a := mat.NewDense(k, k, nil)
	x := mat.NewVecDense(k, nil)
	bx := mat.NewVecDense(k, nil)
	for ri, r := range radii {
		if r == 0 {
			response[ri] = b0
			continue
		}
		bestY := math.Inf(-1)
		bestX := make([]float64, k)
		for _, mu := range mus {
			a.Copy(B)
			for i := range k {
				a.Set(i, i, a.At(i, i)+mu)
			}
			if err := x.SolveVec(a, rhs); err != nil {
				// Exactly singular: numpy raises LinAlgError, which the
				// seed skips; an ill-conditioned solution is kept.
				var cond mat.Condition
				if !errors.As(err, &cond) || math.IsInf(float64(cond), 1) {
					continue
				}
			}
			norm := mat.Norm(x, 2)
			if norm > 0 {
				x.ScaleVec(r/norm, x)
			}
			bx.MulVec(B, x)
			y := b0 + mat.Dot(b, x) + mat.Dot(x, bx)
			if y > bestY {
				bestY = y
				copy(bestX, x.RawVector().Data)
			}
		}
		response[ri] = bestY
		for i := range k {
			traces[i][ri] = bestX[i]
		}
	}
	rows := make([]pydict.Dict, len(radii))
	for i, r := range radii {
		rows[i] = vizRow("radius", r, "response", response[i])
	}
	rp := vizNewPanel("Response vs Radius", "Radius from Centre", "Predicted Response")
	rp.layers = []*vizLayer{{mark: vizMarkLine, rows: rows, x: &vizEncoding{field: "radius", title: "Radius"},
		y: &vizEncoding{field: "response", title: "Predicted Response"}, name: "Response", color: vizPrimary, style: vizStyle{width: 2}}}
	fp := vizNewPanel("Factor Settings vs Radius", "Radius from Centre", "Coded Factor Level")
	for i, name := range factors {
		rows := make([]pydict.Dict, len(radii))
		for j, r := range radii {
			rows[j] = vizRow("radius", r, "coded_level", traces[i][j])
		}
		fp.layers = append(fp.layers, &vizLayer{mark: vizMarkLine, rows: rows, x: &vizEncoding{field: "radius", title: "Radius"},
			y: &vizEncoding{field: "coded_level", title: "Coded Level"}, name: name, color: vizFactorColor(i), style: vizStyle{width: 2}})
	}
	return &vizChart{panels: []*vizPanel{rp, fp}, title: "Ridge Trace", plotType: "ridge_trace", columns: 1}, nil
}

// vizCapitalize is Python's str.capitalize.
func vizCapitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + strings.ToLower(s[n:])
}

// path returns analysis_results.steepest_path, or the seed's computed path:
// 10 steps of 0.5 coded units along the normalised linear coefficients.
func (v *vizCtx) path() (*vizPath, []string, error) {
	if p := v.analysis.SteepestPath; p != nil && len(p.Steps) > 0 {
		factors := v.factors
		if len(factors) == 0 {
			factors = v.formulaVariables()
		}
		if len(factors) == 0 {
			factors = p.Steps[0].Coded.keys
		}
		return p, factors, nil
	}
	m, err := v.model()
	if err != nil {
		return nil, nil, err
	}
	factors, err := v.modelFactors(m)
	if err != nil {
		return nil, nil, err
	}
	norm := 0.0
	dir := vizOrderedNumbers{}
	for _, f := range factors {
		c := m.linearTerm(f)
		dir.keys, dir.vals = append(dir.keys, f), append(dir.vals, c)
		norm += c * c
	}
	norm = math.Sqrt(norm)
	if norm == 0 || math.IsInf(norm, 0) || math.IsNaN(norm) {
		return nil, nil, tool.Errorf("the model has no usable linear terms, so it has no path of steepest ascent")
	}
	step := vizNumber(0.5)
	out := &vizPath{Direction: "ascent", DirectionVector: dir, StepSize: &step}
	for s := 0; s <= 10; s++ {
		coded := vizOrderedNumbers{}
		pt := v.point()
		for i, f := range factors {
			x := dir.vals[i] / norm * 0.5 * float64(s)
			coded.keys, coded.vals = append(coded.keys, f), append(coded.vals, x)
			pt[f] = x
		}
		pred := vizNumber(m.predict(pt))
		out.Steps = append(out.Steps, vizPathStep{Step: vizNumber(s), Coded: coded, PredictedResponse: &pred})
	}
	return out, factors, nil
}

func (v *vizCtx) steepestPath() (*vizChart, error) {
	path, factors, err := v.path()
	if err != nil {
		return nil, err
	}
	direction := path.Direction
	if direction == "" {
		direction = "ascent"
	}
	label := vizCapitalize(direction)
	var pred, actual []pydict.Dict
	for _, s := range path.Steps {
		pred = append(pred, vizRow("step", float64(s.Step), "predicted", vizOr(s.PredictedResponse, 0)))
		if s.ActualResponse != nil {
			actual = append(actual, vizRow("step", float64(s.Step), "actual", float64(*s.ActualResponse)))
		}
	}
	rp := vizNewPanel("Response Along Steepest "+label+" Path", "Step Number", "Response")
	rp.layers = []*vizLayer{{mark: vizMarkLine, rows: pred, x: &vizEncoding{field: "step", title: "Step"},
		y: &vizEncoding{field: "predicted", title: "Predicted Response"}, name: "Predicted", color: vizPrimary,
		style: vizStyle{width: 2, showPoints: true}}}
	if actual != nil {
		rp.layers = append(rp.layers, &vizLayer{mark: vizMarkScatter, rows: actual, x: &vizEncoding{field: "step"},
			y: &vizEncoding{field: "actual", title: "Actual Response"}, name: "Actual", color: vizNegative,
			style: vizStyle{size: 10, symbol: "diamond"}})
	}
	fp := vizNewPanel("Factor Settings Along Path", "Step Number", "Coded Factor Level")
	for i, f := range factors {
		rows := make([]pydict.Dict, len(path.Steps))
		for j, s := range path.Steps {
			x, ok := s.Coded.get(f)
			if !ok {
				x = 0
			}
			rows[j] = vizRow("step", float64(s.Step), "coded_level", x)
		}
		fp.layers = append(fp.layers, &vizLayer{mark: vizMarkLine, rows: rows, x: &vizEncoding{field: "step", title: "Step"},
			y: &vizEncoding{field: "coded_level", title: "Coded Level"}, name: f, color: vizFactorColor(i),
			style: vizStyle{width: 2, showPoints: true}})
	}
	return &vizChart{panels: []*vizPanel{rp, fp}, title: "Steepest " + label + " Path", plotType: "steepest_ascent_path", columns: 1}, nil
}

func (v *vizCtx) fdsPlot() (*vizChart, error) {
	factors := v.designFactors()
	spv, err := v.newSPV(factors)
	if err != nil {
		return nil, err
	}
	const samples = 5000
	k := len(factors)
	rng := stats.NewNumpyGenerator(42)
	values := make([]float64, samples)
	pt := make([]float64, k)
	for i := range values {
		for j := range pt {
			pt[j] = -1 + 2*rng.Float64()
		}
		values[i] = spv.at(pt)
	}
	sorted := append([]float64(nil), values...)
	slices.Sort(sorted)
	var rows []pydict.Dict
	step := samples / 100
	for i := 0; i < samples; i += step {
		rows = append(rows, vizRow("fraction", float64(i+1)/samples, "spv", sorted[i]))
	}
	if last, _ := rows[len(rows)-1].Get("fraction"); last != pyfmt.Float(1) {
		rows = append(rows, vizRow("fraction", 1.0, "spv", sorted[samples-1]))
	}
	median := sorted[samples/2]
	p := vizNewPanel("Fraction of Design Space Plot", "Fraction of Design Space", "Scaled Prediction Variance (n·Var/σ²)")
	p.layers = []*vizLayer{{mark: vizMarkLine, rows: rows, x: &vizEncoding{field: "fraction", title: "Fraction of Design Space"},
		y: &vizEncoding{field: "spv", title: "Scaled Prediction Variance"}, name: "FDS", color: vizPrimary, style: vizStyle{width: 2}}}
	p.annotations = []vizAnnotation{
		{kind: vizAnnLine, axis: "y", value: median, label: "Median SPV = " + pyfmt.Fixed(median, 2), color: vizZeroLine, dash: "dash", width: 1},
		{kind: vizAnnLine, axis: "x", value: 0.5, label: "50%", color: vizGridColour, dash: "dot", width: 1},
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Fraction of Design Space (FDS) Plot", plotType: "fds_plot"}, nil
}

func (v *vizCtx) powerCurve() (*vizChart, error) {
	var nRuns, nTerms int
	if v.table != nil {
		k := len(v.designFactors())
		nRuns, nTerms = len(v.table.rows), 1+k+k*(k-1)/2+k
	} else {
		s := v.analysis.ModelSummary
		nObs := vizOr(s.NObs, 0)
		params := vizOr(s.NParams, math.NaN())
		if s.NParams == nil {
			params = vizOr(s.DfModel, math.NaN()) + 1
		}
		if !(nObs >= 1 && nObs <= 1e9 && params >= 1 && params <= 1e9) || nObs != math.Trunc(nObs) || params != math.Trunc(params) {
			return nil, tool.Invalidf("model_summary must give a positive whole n_obs and df_model (or n_params)").With("key", "analysis_results")
		}
		nRuns, nTerms = int(nObs), int(params)
	}
	alpha := 1 - v.confidence
	df2 := max(1, nRuns-nTerms)
	fCrit := stats.FUpperQuantile(alpha, 1, float64(df2))
	sn := stats.Linspace(0, 4, 100)
	rows := make([]pydict.Dict, len(sn))
	for i, r := range sn {
		ncp := float64(nRuns) * r * r / 4
		power := alpha
		if ncp > 0 {
			power = stats.NoncentralFSurvival(fCrit, 1, float64(df2), ncp)
		}
		rows[i] = vizRow("sn_ratio", r, "power", power)
	}
	p := vizNewPanel("Power Curve", "Signal-to-Noise Ratio (Δ/σ)", "Power (1 − β)")
	p.layers = []*vizLayer{{mark: vizMarkLine, rows: rows, x: &vizEncoding{field: "sn_ratio", title: "Signal-to-Noise Ratio (Δ/σ)"},
		y: &vizEncoding{field: "power", title: "Power"}, name: "n=" + strconv.Itoa(nRuns) + ", df=" + strconv.Itoa(df2),
		color: vizPrimary, style: vizStyle{width: 2}}}
	p.annotations = []vizAnnotation{
		{kind: vizAnnLine, axis: "y", value: 0.8, label: "Power = 0.80", color: vizPositive, dash: "dash", width: 1},
		{kind: vizAnnLine, axis: "y", value: alpha, label: "α = " + pyfmt.Fixed(alpha, 2), color: vizNegative, dash: "dot", width: 1},
	}
	return &vizChart{panels: []*vizPanel{p}, title: "Power Curve", plotType: "power_curve"}, nil
}
