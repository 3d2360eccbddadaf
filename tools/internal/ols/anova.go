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
// Residual row.
//
// With full column rank the degrees of freedom of a term are its number of
// columns; statsmodels computes the sums of squares from Wald tests on the
// full fit, and this refits the reduced models instead, in the coordinates
// of the singular vectors of X, at O(p³) per term. With a rank-deficient X
// (aliased terms) the two differ, and this follows statsmodels 0.13.5's
// Wald tests (see anovaWald), so that an aliased term gets the degrees of
// freedom and sum of squares statsmodels reports rather than the rank it
// adds (often 0).
//
// It needs Terms (FitDesign sets them) and returns a tool_error without
// them.
func (r *Results) AnovaTypeII() ([]AnovaRow, error) {
	if len(r.Terms) == 0 {
		return nil, errcode.New(errcode.ToolError, "the model's terms are unknown (fit it with FitDesign)")
	}
	if _, p := r.x.Dims(); r.Rank < p {
		return r.anovaWald(), nil
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
		for _, j := range r.containingColumns(ti) {
			without[j] = true
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

// containingColumns returns the columns of the terms other than Terms[ti]
// that contain it: those whose factors include all of its factors and
// more.
func (r *Results) containingColumns(ti int) []int {
	t := r.Terms[ti]
	var cols []int
	for ui, u := range r.Terms {
		if ui != ti && len(u.Factors) > len(t.Factors) && containsAll(u.Factors, t.Factors) {
			for j := u.Start; j < u.End; j++ {
				cols = append(cols, j)
			}
		}
	}
	return cols
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

// anovaWald is statsmodels 0.13.5's anova_lm(typ=2) as it computes the
// table, without refitting: for each term but the intercept, with L1 the
// rows of the identity for the term's columns and those of every term
// containing it, and L2 those of the containing terms only,
//
//	L12 = the last r columns of the full Q of qr(L1·Cov·L2ᵀ), transposed, times L1
//	      (r = |L1| − |L2|; L12 = L1 when nothing contains the term)
//	F   = (L12·β)ᵀ·pinv(L12·Cov·L12ᵀ)·(L12·β) / J,  J = rank(L12·Cov·L12ᵀ)
//
// with p from F(J, df_resid), df = r and sum_sq = F·r·scale. Cov is the
// pseudo-inverse covariance of the parameters. With full rank this is the
// refitted Type-II sum of squares; with aliased terms it is not (a term
// that adds no rank still gets df r and the sum of squares of its Wald
// test), and statsmodels is the reference.
func (r *Results) anovaWald() []AnovaRow {
	p := len(r.Params)
	cov := r.CovParams()
	beta := mat.NewVecDense(p, append([]float64(nil), r.Params...))
	var rows []AnovaRow
	for ti, t := range r.Terms {
		if len(t.Factors) == 0 || t.End <= t.Start {
			continue
		}
		var l1 []int
		for j := t.Start; j < t.End; j++ {
			l1 = append(l1, j)
		}
		l2 := r.containingColumns(ti)
		l1 = append(l1, l2...)
		nr := len(l1) - len(l2)
		// l12 is nr×p.
		l12 := mat.NewDense(nr, p, nil)
		if len(l2) == 0 {
			for i, j := range l1 {
				l12.Set(i, j, 1)
			}
		} else {
			lcl := mat.NewDense(len(l1), len(l2), nil)
			for i, a := range l1 {
				for k, b := range l2 {
					lcl.Set(i, k, cov.At(a, b))
				}
			}
			var qr mat.QR
			qr.Factorize(lcl)
			var q mat.Dense
			qr.QTo(&q)
			m := len(l1)
			for i := 0; i < nr; i++ {
				for k, a := range l1 {
					l12.Set(i, a, q.At(k, m-nr+i))
				}
			}
		}
		// Rβ and R·Cov·Rᵀ.
		rb := mat.NewVecDense(nr, nil)
		rb.MulVec(l12, beta)
		var rc, rcr mat.Dense
		rc.Mul(l12, cov)
		rcr.Mul(&rc, l12.T())
		inv, rank := pinvRank(&rcr)
		var quad float64
		for i := 0; i < nr; i++ {
			for k := 0; k < nr; k++ {
				quad += rb.AtVec(i) * inv.At(i, k) * rb.AtVec(k)
			}
		}
		f := quad / float64(rank)
		rows = append(rows, AnovaRow{Source: t.Name, DF: nr, SumSq: f * float64(nr) * r.Scale, F: f,
			PValue: stats.FSurvival(f, float64(rank), float64(r.DfResid))})
	}
	return append(rows, AnovaRow{Source: "Residual", DF: r.DfResid, SumSq: r.SSR, F: math.NaN(), PValue: math.NaN()})
}

// pinvRank returns numpy's pinv of the square matrix a (singular values
// below 1e-15·σmax dropped) and its matrix_rank (tolerance
// σmax·max(m, n)·ε).
func pinvRank(a *mat.Dense) (*mat.Dense, int) {
	n, _ := a.Dims()
	out := mat.NewDense(n, n, nil)
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDFull) {
		return out, 0
	}
	s := svd.Values(nil)
	if len(s) == 0 || !(s[0] > 0) {
		return out, 0
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	rank := 0
	for k, sv := range s {
		if sv > s[0]*float64(n)*eps {
			rank++
		}
		if sv <= pinvRcond*s[0] {
			continue
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				out.Set(i, j, out.At(i, j)+v.At(i, k)*u.At(j, k)/sv)
			}
		}
	}
	return out, rank
}
