package experiments

import (
	"strings"

	"github.com/toolq/toolq/tools/internal/formula"
	"github.com/toolq/toolq/tools/internal/ols"
	"github.com/toolq/toolq/tools/tool"
)

// The model visualize_doe fits to design_data when analysis_results do not
// provide what a chart needs (an addition: the seed drew such charts
// empty). The formula engine and the least-squares fit are the ones
// fit_linear_model and analyze_experiment use.

// vizMaxModelColumns bounds the candidate models (the formula engine's
// default column cap).
const vizMaxModelColumns = 100

// vizFit is a model fitted to design_data.
type vizFit struct {
	model        *vizModel
	formula      string
	resid        []float64
	fittedValues []float64
	nObs, nPar   int
}

// fitted returns the model fitted to design_data, computing it once per
// kind. A model for effect charts may be saturated; the others need a
// residual degree of freedom.
func (v *vizCtx) fitted(saturatedOK bool) (*vizFit, error) {
	i := 0
	if saturatedOK {
		i = 1
	}
	if v.fits[i] == nil && v.fitErrs[i] == nil {
		v.fits[i], v.fitErrs[i] = v.fitDesign(saturatedOK)
	}
	return v.fits[i], v.fitErrs[i]
}

// fitDesign tries, in order, the full quadratic model (when a factor has 3
// or more distinct levels), main effects with two-factor interactions, and
// main effects, and returns the first of full rank (with a residual degree
// of freedom unless saturatedOK).
func (v *vizCtx) fitDesign(saturatedOK bool) (*vizFit, error) {
	if v.table == nil {
		return nil, tool.Invalidf("a model needs design_data")
	}
	response := v.fitResponse()
	if response == "" {
		return nil, tool.Invalidf("a model is fitted to design_data only with response_column (or a column named y)").
			With("key", "response_column")
	}
	if _, ok := v.table.numeric(response); !ok {
		return nil, tool.Invalidf("the response %q must be numeric", response).With("key", "design_data")
	}
	var factors []string
	threeLevel := map[string]bool{}
	for _, c := range v.table.columns {
		if c == response || vizSkipColumns[c] {
			continue
		}
		x, ok := v.table.numeric(c)
		if !ok {
			continue
		}
		distinct := map[float64]bool{}
		for _, val := range x {
			if val == val {
				distinct[val] = true
			}
		}
		if len(distinct) < 2 {
			continue
		}
		factors = append(factors, c)
		threeLevel[c] = len(distinct) >= 3
	}
	if len(factors) == 0 {
		return nil, tool.Invalidf("design_data has no numeric factor column that varies").With("key", "design_data")
	}
	k := len(factors)
	quoted := make([]string, k)
	for i, name := range factors {
		quoted[i] = formula.Quote(name)
	}
	main := strings.Join(quoted, " + ")
	var squares []string
	for i, name := range factors {
		if threeLevel[name] {
			squares = append(squares, "I("+quoted[i]+" ** 2)")
		}
	}
	type candidate struct {
		rhs  string
		cols int
	}
	var candidates []candidate
	if len(squares) > 0 {
		rhs := main + " + " + strings.Join(squares, " + ")
		cols := 1 + k + len(squares)
		if k > 1 {
			rhs = "(" + main + ") ** 2 + " + strings.Join(squares, " + ")
			cols += k * (k - 1) / 2
		}
		candidates = append(candidates, candidate{rhs, cols})
	}
	if k > 1 {
		candidates = append(candidates, candidate{"(" + main + ") ** 2", 1 + k + k*(k-1)/2})
	}
	candidates = append(candidates, candidate{main, 1 + k})

	rows := v.table.formulaRows(append([]string{response}, factors...))
	var lastErr error
	for _, c := range candidates {
		if c.cols > vizMaxModelColumns {
			continue
		}
		src := formula.Quote(response) + " ~ " + c.rhs
		fm, err := formula.Parse(src, nil)
		if err != nil {
			return nil, err
		}
		d, err := fm.Build(rows, nil)
		if err != nil {
			return nil, err
		}
		n, p := d.X.Dims()
		if p > n || (!saturatedOK && p == n) {
			continue
		}
		r, err := ols.FitDesign(d)
		if err != nil {
			lastErr = err
			continue
		}
		if r.Rank < p {
			continue
		}
		m := &vizModel{}
		for j, name := range r.Names {
			pieces, known := vizParseTerm(name)
			m.terms = append(m.terms, vizTerm{name: name, coef: r.Params[j], pieces: pieces, known: known})
		}
		return &vizFit{model: m, formula: src, resid: r.Resid, fittedValues: r.Fitted, nObs: n, nPar: p}, nil
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, tool.Errorf("no model can be fitted to design_data: with %d runs and %d factors every candidate "+
		"(quadratic, two-factor interactions, main effects) is rank-deficient or leaves no residual degree of freedom", len(rows), k)
}
