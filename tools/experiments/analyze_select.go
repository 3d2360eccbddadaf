package experiments

import (
	"context"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/formula"
	"github.com/toolq/toolq/tools/internal/ols"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

// aeSelectBudget bounds the work of a model selection, in multiply-adds of
// the fits (about n·p² each, times a constant for the decompositions):
// a few seconds at most.
const aeSelectBudget = 4e9

// aeFitCost estimates the work of one least-squares fit of n rows and p
// columns (the decompositions of ols.Fit), in the units of aeSelectBudget.
func aeFitCost(n, p int) float64 {
	return 12 * float64(n) * float64(p) * float64(p)
}

type aeSelection struct {
	Formula     string      `json:"selected_formula"`
	Criterion   string      `json:"criterion"`
	Value       pyfmt.Float `json:"criterion_value"`
	Direction   string      `json:"direction"`
	RSquared    pyfmt.Float `json:"r_squared"`
	RSquaredAdj pyfmt.Float `json:"r_squared_adj"`
	NTerms      int         `json:"n_terms"`
}

// modelSelection is the seed's _run_model_selection (backward, AIC): start
// from the main effects and every two-factor interaction of the factors
// (combinations order), and remove the first term, in the current order,
// whose removal lowers AIC, until none does. Each candidate is fitted by
// least squares on the columns of the full model matrix it keeps (one
// column per term for numeric factors, in the candidate's term order, as
// patsy would build y ~ t₁ + t₂ + …).
func (c *aeCall) modelSelection(ctx context.Context) (any, error) {
	resp := c.in.ResponseColumn
	terms := append([]string(nil), c.factors...)
	for i := range c.factors {
		for j := i + 1; j < len(c.factors); j++ {
			terms = append(terms, c.factors[i]+":"+c.factors[j])
		}
	}
	full, err := formula.Parse(resp+" ~ "+strings.Join(terms, " + "), nil)
	if err != nil {
		return nil, err
	}
	d, err := full.Build(aeFormulaRows(len(c.data[resp]), c.columns, c.data), nil)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for j, name := range d.Columns {
		col[name] = j
	}
	n, _ := d.X.Dims()
	var work float64
	fitTerms := func(ts []string) (*ols.Results, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := len(ts) + 1
		if work += aeFitCost(n, p); work > aeSelectBudget {
			return nil, tool.Errorf("model selection needs too many fits for this many runs and factors; "+
				"select among fewer factors").With("key", "analysis_type")
		}
		x := mat.NewDense(n, p, nil)
		for i := 0; i < n; i++ {
			x.Set(i, 0, 1)
			for k, t := range ts {
				x.Set(i, k+1, d.X.At(i, col[t]))
			}
		}
		return ols.Fit(x, d.Y, nil)
	}
	formulaOf := func(ts []string) string {
		if len(ts) == 0 {
			return resp + " ~ 1"
		}
		return resp + " ~ " + strings.Join(ts, " + ")
	}

	current := terms
	best, err := fitTerms(current)
	if err != nil {
		return nil, err
	}
	bestTerms := current
	for improved := true; improved && len(current) > 0; {
		improved = false
		for _, drop := range current {
			cand := make([]string, 0, len(current)-1)
			for _, t := range current {
				if t != drop {
					cand = append(cand, t)
				}
			}
			r, err := fitTerms(cand)
			if err != nil {
				return nil, err
			}
			if r.AIC < best.AIC {
				best, bestTerms, current, improved = r, cand, cand, true
				break
			}
		}
	}
	return aeSelection{
		Formula:     formulaOf(bestTerms),
		Criterion:   "aic",
		Value:       pyfmt.Float(best.AIC),
		Direction:   "backward",
		RSquared:    pyfmt.Float(best.RSquared),
		RSquaredAdj: pyfmt.Float(best.RSquaredAdj),
		NTerms:      best.DfModel,
	}, nil
}
