package experiments

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// Response-surface algebra of optimize_responses (the seed's
// experiments/optimization.py): a fitted model given as {term, coefficient}
// pairs is a polynomial in the coded factors, y = b₀ + bᵀx + xᵀBx + …

// optQuadratic matches the seed's quadratic term spelling, I(A ** 2), anchored
// at the start only, like Python's re.match. Python's \w is Unicode-aware.
var optQuadratic = regexp.MustCompile(`^I\(([\p{L}\p{N}_]+)\s*\*\*\s*2\)`)

// optParseTerm splits a term name into the factors it multiplies: none for
// "Intercept", [A] for "A", [A, B] for "A:B" (any number of factors) and
// [A, A] for "I(A ** 2)" (the seed's _parse_term).
func optParseTerm(term string) []string {
	if term == "Intercept" {
		return nil
	}
	if m := optQuadratic.FindStringSubmatch(term); m != nil {
		return []string{m[1], m[1]}
	}
	if strings.Contains(term, ":") {
		return strings.Split(term, ":")
	}
	return []string{term}
}

// optTerm is one parsed coefficient: coef × Π x[idx].
type optTerm struct {
	idx  []int // factor indices, repeated for powers; empty for the intercept
	coef float64
}

// optModel is a fitted model as a polynomial in the k coded factors.
type optModel struct {
	terms []optTerm
	k     int
}

// optBuildModel parses coefficient entries against the factor names (the
// first model's, as in the seed). It fails, naming the term, when a term
// refers to a factor that is not among them (the seed failed with a bare
// KeyError).
func optBuildModel(coefs []optCoefficient, index map[string]int, k int) (optModel, error) {
	m := optModel{k: k, terms: make([]optTerm, 0, len(coefs))}
	for _, c := range coefs {
		parts := optParseTerm(c.Term)
		t := optTerm{coef: c.Coefficient, idx: make([]int, len(parts))}
		for j, p := range parts {
			i, ok := index[p]
			if !ok {
				return optModel{}, tool.Invalidf("term %q refers to %q, which is not one of the factor_names", c.Term, p).
					With("term", c.Term)
			}
			t.idx[j] = i
		}
		m.terms = append(m.terms, t)
	}
	return m, nil
}

// eval returns the model's prediction at the coded point x, summing the
// terms in the given order as the seed's evaluator does.
func (m optModel) eval(x []float64) float64 {
	var y float64
	for _, t := range m.terms {
		switch len(t.idx) {
		case 0:
			y += t.coef
		case 1:
			y += t.coef * x[t.idx[0]]
		case 2:
			y += t.coef * x[t.idx[0]] * x[t.idx[1]]
		default:
			v := 1.0
			for _, i := range t.idx {
				v *= x[i]
			}
			y += t.coef * v
		}
	}
	return y
}

// grad adds the gradient of the model at x, times scale, into g.
func (m optModel) grad(x []float64, scale float64, g []float64) {
	for _, t := range m.terms {
		for j, i := range t.idx {
			v := t.coef * scale
			for l, o := range t.idx {
				if l != j {
					v *= x[o]
				}
			}
			g[i] += v
		}
	}
}

// secondOrder returns b₀, b and the symmetric B of y = b₀ + bᵀx + xᵀBx
// (the seed's _extract_b_and_B): B[i][i] is the coefficient of I(Aᵢ ** 2)
// (or Aᵢ:Aᵢ), B[i][j] = B[j][i] half that of Aᵢ:Aⱼ. Terms of third and
// higher order are ignored, as in the seed. A term that appears twice is
// added up (the seed's evaluator summed repeats, but its b and B kept only
// the last).
func (m optModel) secondOrder() (b0 float64, b []float64, bb []float64) {
	k := m.k
	b = make([]float64, k)
	bb = make([]float64, k*k)
	for _, t := range m.terms {
		switch len(t.idx) {
		case 0:
			b0 += t.coef
		case 1:
			b[t.idx[0]] += t.coef
		case 2:
			i, j := t.idx[0], t.idx[1]
			if i == j {
				bb[i*k+i] += t.coef
			} else {
				bb[i*k+j] += t.coef / 2
				bb[j*k+i] += t.coef / 2
			}
		}
	}
	return b0, b, bb
}

// optAllClose is numpy.allclose(v, 0): every |vᵢ| ≤ 1e-8.
func optAllClose(v []float64) bool {
	for _, x := range v {
		if !(math.Abs(x) <= 1e-8) {
			return false
		}
	}
	return true
}

// optFinite reports whether every value is finite.
func optFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// optClassify names the stationary point from the eigenvalues of B.
func optClassify(ev []float64) string {
	neg, pos := true, true
	for _, e := range ev {
		neg = neg && e < 0
		pos = pos && e > 0
	}
	switch {
	case neg:
		return "maximum"
	case pos:
		return "minimum"
	}
	return "saddle_point"
}

// optActual converts coded settings to actual units for the factors that
// have a range (centre + coded·half-range); others keep their coded value.
func optActual(names []string, coded []float64, ranges map[string]optRange) pydict.Dict {
	var m pydict.Dict
	for i, n := range names {
		if r, ok := ranges[n]; ok {
			m.Set(n, pyfmt.Float((r.Low+r.High)/2+coded[i]*((r.High-r.Low)/2)))
		} else {
			m.Set(n, pyfmt.Float(coded[i]))
		}
	}
	return m
}

type optStationary struct {
	Coded          pydict.Dict   `json:"stationary_point_coded"`
	Predicted      pyfmt.Float   `json:"predicted_response"`
	Classification string        `json:"classification"`
	Eigenvalues    []pyfmt.Float `json:"eigenvalues"`
	Inside         bool          `json:"inside_design_space"`
	Actual         *pydict.Dict  `json:"stationary_point_actual,omitempty"`
}

// optStationaryPoint solves 2B·x = −b (the seed's _find_stationary_point).
// It returns an aeError result when B is (numerically) zero or exactly
// singular, as the seed does, and a tool error when the coefficients are so
// large that the algebra overflows.
func optStationaryPoint(m optModel, names []string, ranges map[string]optRange) (any, error) {
	b0, b, bb := m.secondOrder()
	if !optFinite(b) || !optFinite(bb) || math.IsInf(b0, 0) {
		return nil, tool.Errorf("the coefficients are too large to locate a stationary point")
	}
	if optAllClose(bb) {
		return aeError{"Model has no quadratic or interaction terms — cannot find stationary point."}, nil
	}
	k := m.k
	twoB := mat.NewDense(k, k, nil)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			twoB.Set(i, j, 2*bb[i*k+j])
		}
	}
	var lu mat.LU
	lu.Factorize(twoB)
	var u mat.TriDense
	lu.UTo(&u)
	for i := 0; i < k; i++ {
		// LAPACK's dgesv (numpy.linalg.solve) fails exactly when a pivot is 0.
		if u.At(i, i) == 0 {
			return aeError{"Singular B matrix — stationary point does not exist."}, nil
		}
	}
	rhs := mat.NewVecDense(k, nil)
	for i := range b {
		rhs.SetVec(i, -b[i])
	}
	var xs mat.VecDense
	_ = lu.SolveVecTo(&xs, false, rhs) // a Condition error still leaves the solution, as dgesv does
	x := make([]float64, k)
	for i := range x {
		x[i] = xs.AtVec(i)
	}
	// ŷ = b₀ + bᵀx + xᵀBx
	var bx, xbx float64
	for i := 0; i < k; i++ {
		bx += b[i] * x[i]
		var row float64
		for j := 0; j < k; j++ {
			row += bb[i*k+j] * x[j]
		}
		xbx += x[i] * row
	}
	ev, _, ok := stats.EigenSymNumpy(bb, k)
	if !ok {
		return nil, tool.Errorf("the eigenvalues of B could not be computed")
	}
	inside := true
	for _, v := range x {
		inside = inside && math.Abs(v) <= 1
	}
	out := optStationary{
		Coded:          aeNamedFloats(names, x),
		Predicted:      pyfmt.Float(b0 + bx + xbx),
		Classification: optClassify(ev),
		Eigenvalues:    pyfmt.Floats(ev),
		Inside:         inside,
	}
	if len(ranges) > 0 {
		a := optActual(names, x, ranges)
		out.Actual = &a
	}
	return out, nil
}

type optCanonical struct {
	Eigenvalues  []pyfmt.Float   `json:"eigenvalues"`
	Eigenvectors [][]pyfmt.Float `json:"eigenvectors"`
	Class        string          `json:"classification"`
	Description  []string        `json:"canonical_form_description"`
	FactorNames  []string        `json:"factor_names"`
}

// optCanonicalAnalysis is the seed's _canonical_analysis: the eigenvalues of
// B sorted by decreasing absolute value (ties keep numpy's ascending order)
// with their unit eigenvectors, each listed as the vector itself.
func optCanonicalAnalysis(m optModel, names []string) (any, error) {
	_, _, bb := m.secondOrder()
	if !optFinite(bb) {
		return nil, tool.Errorf("the coefficients are too large for a canonical analysis")
	}
	if optAllClose(bb) {
		return aeError{"Model has no quadratic or interaction terms — canonical analysis not applicable."}, nil
	}
	k := m.k
	ev, vec, ok := stats.EigenSymNumpy(bb, k)
	if !ok {
		return nil, tool.Errorf("the eigenvalues of B could not be computed")
	}
	order := make([]int, k)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch x, y := math.Abs(ev[a]), math.Abs(ev[b]); {
		case x > y:
			return -1
		case x < y:
			return 1
		}
		return 0
	})
	out := optCanonical{FactorNames: names}
	sorted := make([]float64, k)
	for r, i := range order {
		sorted[r] = ev[i]
		col := make([]float64, k)
		for j := range col {
			col[j] = vec.At(j, i)
		}
		out.Eigenvectors = append(out.Eigenvectors, pyfmt.Floats(col))
		shape := "convex"
		if ev[i] < 0 {
			shape = "concave"
		}
		out.Description = append(out.Description,
			"W"+strconv.Itoa(r+1)+": eigenvalue="+pyfmt.Fixed(ev[i], 4)+" ("+shape+")")
	}
	out.Eigenvalues = pyfmt.Floats(sorted)
	out.Class = optClassify(sorted)
	return out, nil
}

type optStep struct {
	Step      int          `json:"step"`
	Coded     pydict.Dict  `json:"coded"`
	Predicted pyfmt.Float  `json:"predicted_response"`
	Actual    *pydict.Dict `json:"actual,omitempty"`
}

type optPath struct {
	Direction string          `json:"direction"`
	Vector    pydict.Dict     `json:"direction_vector"`
	StepSize  json.RawMessage `json:"step_size"`
	Steps     []optStep       `json:"steps"`
}

// optSteepestPath is the seed's _steepest_path: from the centre along
// b/‖b‖ (negated for descent), b the linear coefficients only, in n steps
// of stepSize coded units; every step is predicted with the full model.
func optSteepestPath(m optModel, names []string, stepSize float64, stepRaw json.RawMessage, nSteps int,
	descent bool, ranges map[string]optRange) any {
	_, b, _ := m.secondOrder()
	if optAllClose(b) {
		return aeError{"All linear coefficients are zero — no steepest direction."}
	}
	var norm float64
	for _, v := range b {
		norm += v * v
	}
	norm = math.Sqrt(norm)
	dir := make([]float64, len(b))
	for i, v := range b {
		dir[i] = v / norm
		if descent {
			dir[i] = -dir[i]
		}
	}
	out := optPath{Direction: "ascent", Vector: aeNamedFloats(names, dir), StepSize: stepRaw}
	if descent {
		out.Direction = "descent"
	}
	for s := 0; s <= nSteps; s++ {
		x := make([]float64, len(dir))
		for i, d := range dir {
			x[i] = d * stepSize * float64(s)
		}
		st := optStep{Step: s, Coded: aeNamedFloats(names, x), Predicted: pyfmt.Float(m.eval(x))}
		if len(ranges) > 0 {
			a := optActual(names, x, ranges)
			st.Actual = &a
		}
		out.Steps = append(out.Steps, st)
	}
	return out
}
