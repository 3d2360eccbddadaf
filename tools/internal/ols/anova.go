package ols

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/stats"
)

// AnovaRow is one row of an ANOVA table.
type AnovaRow struct {
	// Source is the term name, or "Residual" for the last row.
	Source string
	// DF is the term's degrees of freedom (the residual degrees of freedom
	// on the Residual row).
	DF int
	// SumSq is the term's Type-II sum of squares (the residual sum of
	// squares on the Residual row).
	SumSq float64
	// F = (SumSq/DF)/Scale and PValue its upper tail in F(DF, DfResid);
	// both NaN on the Residual row.
	F, PValue float64
}

// AnovaTypeII returns the Type-II ANOVA table of statsmodels'
// anova_lm(typ=2): for each term but the intercept, in column order, the
// drop in the residual sum of squares when the term is added to the model
// made of every other term except those that contain it (A:B contains A;
// containment is by factors, so I(A ** 2) does not contain A), then a
// Residual row. The degrees of freedom of a term are the rank it adds,
// which is its number of columns unless the design is rank deficient.
//
// statsmodels computes the same sums of squares from Wald tests on the
// full fit; this refits the reduced models, in the coordinates of the
// singular vectors of X, at O(p³) per term. It needs Terms (FitDesign sets
// them) and returns a tool_error without them.
func (r *Results) AnovaTypeII() ([]AnovaRow, error) {
	if len(r.Terms) == 0 {
		return nil, errcode.New(errcode.ToolError, "the model's terms are unknown (fit it with FitDesign)")
	}
	// X = UΣVᵀ: in the coordinates of U, X is M = UᵀX and y is c = Uᵀy
	// plus a part orthogonal to every column, which no subset can fit and
	// which cancels in every difference of residual sums of squares.
	n, k := r.u.Dims()
	_, p := r.x.Dims()
	var m mat.Dense
	m.Mul(r.u.T(), r.x)
	c := make([]float64, k)
	for j := range c {
		var s float64
		for i := 0; i < n; i++ {
			s += r.u.At(i, j) * r.Y[i]
		}
		c[j] = s
	}
	var rows []AnovaRow
	for ti, t := range r.Terms {
		if len(t.Factors) == 0 || t.End <= t.Start {
			continue
		}
		without := make([]bool, p) // columns outside the reduced model
		for j := t.Start; j < t.End; j++ {
			without[j] = true
		}
		for ui, u := range r.Terms {
			if ui != ti && len(u.Factors) > len(t.Factors) && containsAll(u.Factors, t.Factors) {
				for j := u.Start; j < u.End; j++ {
					without[j] = true
				}
			}
		}
		var reduced, augmented []int
		for j := 0; j < p; j++ {
			if !without[j] {
				reduced = append(reduced, j)
				augmented = append(augmented, j)
			} else if j >= t.Start && j < t.End {
				augmented = append(augmented, j)
			}
		}
		sse0, rank0 := subsetFit(&m, c, reduced)
		sse1, rank1 := subsetFit(&m, c, augmented)
		df := rank1 - rank0
		ss := sse0 - sse1
		f := (ss / float64(df)) / r.Scale
		rows = append(rows, AnovaRow{Source: t.Name, DF: df, SumSq: ss, F: f, PValue: stats.FSurvival(f, float64(df), float64(r.DfResid))})
	}
	rows = append(rows, AnovaRow{Source: "Residual", DF: r.DfResid, SumSq: r.SSR, F: math.NaN(), PValue: math.NaN()})
	return rows, nil
}

func containsAll(set, sub []string) bool {
	for _, s := range sub {
		found := false
		for _, t := range set {
			if s == t {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// subsetFit returns the residual sum of squares of c regressed on the
// columns cols of m (c itself for no columns) and the rank of those
// columns, through the minimum-norm least-squares solution.
func subsetFit(m *mat.Dense, c []float64, cols []int) (sse float64, rank int) {
	k := len(c)
	if len(cols) == 0 {
		for _, v := range c {
			sse += v * v
		}
		return sse, 0
	}
	a := mat.NewDense(k, len(cols), nil)
	for i := 0; i < k; i++ {
		for jj, j := range cols {
			a.Set(i, jj, m.At(i, j))
		}
	}
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return math.NaN(), 0
	}
	s := svd.Values(nil)
	var u mat.Dense
	svd.UTo(&u)
	tol := 0.0
	if len(s) > 0 {
		tol = s[0] * float64(max(k, len(cols))) * eps
	}
	// Residual of the projection onto the leading left singular vectors.
	resid := append([]float64(nil), c...)
	for q, sv := range s {
		if sv <= tol {
			break
		}
		rank++
		var dot float64
		for i := 0; i < k; i++ {
			dot += u.At(i, q) * c[i]
		}
		for i := 0; i < k; i++ {
			resid[i] -= dot * u.At(i, q)
		}
	}
	for _, v := range resid {
		sse += v * v
	}
	return sse, rank
}
