package experiments

import (
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/formula"
)

// Model matrices of evaluate_design and augment_design, built by the
// shared formula engine (patsy's term order and column names) from the
// formulas the seed writes: main_effects "A + B + …", interactions
// "(A + B + …) ** 2", quadratic "(A + B + …) ** 2 + I(A ** 2) + …". Names
// that are not identifiers are quoted (Q("a b")), which the seed did not do
// (patsy then failed on them).

// doeFormulaLimits admits the largest model these tools build: three-factor
// interactions of 15 factors (576 columns), over designs of up to 10,000
// runs and augmented designs of up to 50,000.
var doeFormulaLimits = &formula.Limits{MaxTerms: 1000, MaxColumns: 1000, MaxRows: augmentMaxRowsAfter}

// doeModelRHS is the seed's _build_model_rhs / _build_model_matrix mapping.
func doeModelRHS(names []string, model string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = formula.Quote(n)
	}
	joined := strings.Join(q, " + ")
	switch model {
	case "main_effects":
		return joined
	case "quadratic":
		sq := make([]string, len(q))
		for i, n := range q {
			sq[i] = "I(" + n + " ** 2)"
		}
		return "(" + joined + ") ** 2 + " + strings.Join(sq, " + ")
	}
	return "(" + joined + ") ** 2"
}

// doeOrderRHS is "(A + B + …) ** order".
func doeOrderRHS(names []string, order int) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = formula.Quote(n)
	}
	return "(" + strings.Join(q, " + ") + ") ** " + strconv.Itoa(order)
}

// doeFormulaRows turns design rows into the formula engine's row maps.
func doeFormulaRows(names []string, rows [][]float64) formula.Rows {
	out := make(formula.Rows, len(rows))
	for i, r := range rows {
		m := make(map[string]any, len(names))
		for j, n := range names {
			m[n] = r[j]
		}
		out[i] = m
	}
	return out
}

// doeBuild builds the model matrix of rhs over the design.
func doeBuild(names []string, rows [][]float64, rhs string) (*formula.Design, error) {
	f, err := formula.Parse(rhs, doeFormulaLimits)
	if err != nil {
		return nil, err
	}
	return f.Build(doeFormulaRows(names, rows), doeFormulaLimits)
}

// doeTermRow fills out with the model-matrix row of the factor settings x
// (in names order) for a design whose columns are all numeric: each
// column is the product of its term's factors, I(x ** k) being x to the
// k-th power. It evaluates many candidate points without building row maps.
func doeTermRow(d *formula.Design, index map[string]int, x, out []float64) {
	for _, t := range d.Terms {
		v := 1.0
		for _, f := range t.Term {
			xv := x[index[f.Var]]
			if f.Kind == formula.Power {
				p := 1.0
				for range f.Exponent {
					p *= xv
				}
				xv = p
			}
			v *= xv
		}
		for j := t.Start; j < t.End; j++ {
			out[j] = v
		}
	}
}

// doeXtX returns XᵀX.
func doeXtX(x *mat.Dense) *mat.SymDense {
	_, p := x.Dims()
	s := mat.NewSymDense(p, nil)
	s.SymOuterK(1, x.T())
	return s
}
