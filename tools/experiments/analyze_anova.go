package experiments

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/ols"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// aeAnovaRankDeficient is statsmodels' anova_lm(typ=2) for a fit whose
// model matrix is rank deficient (aliased terms), where it differs from
// ols.AnovaTypeII's refitted sums of squares (see /tmp/requests-ols.md; a
// local adapter until the ols package does this). statsmodels does not
// refit: for each term but the intercept, with L1 the rows of the identity
// for the term's columns and those of every term containing it, and L2
// those of the containing terms only,
//
//	L12 = the last r columns of the full Q of qr(L1·Cov·L2ᵀ), transposed, times L1
//	      (r = |L1| − |L2|; L12 = L1 when nothing contains the term)
//	F   = (L12·β)ᵀ·pinv(L12·Cov·L12ᵀ)·(L12·β) / J,  J = rank(L12·Cov·L12ᵀ)
//
// with p from F(J, df_resid), df = r and sum_sq = F·r·scale. Cov is the
// pseudo-inverse covariance of the parameters. With full rank this is the
// Type-II sum of squares that ols.AnovaTypeII computes by refitting.
func aeAnovaRankDeficient(fit *ols.Results) ([]ols.AnovaRow, error) {
	if len(fit.Terms) == 0 {
		return nil, tool.Errorf("the model's terms are unknown")
	}
	p := len(fit.Params)
	cov := fit.CovParams()
	var rows []ols.AnovaRow
	for ti, t := range fit.Terms {
		if len(t.Factors) == 0 || t.End <= t.Start {
			continue
		}
		var l1, l2 []int
		for j := t.Start; j < t.End; j++ {
			l1 = append(l1, j)
		}
		for ui, u := range fit.Terms {
			if ui != ti && len(u.Factors) > len(t.Factors) && aeContainsAll(u.Factors, t.Factors) {
				for j := u.Start; j < u.End; j++ {
					l1 = append(l1, j)
					l2 = append(l2, j)
				}
			}
		}
		r := len(l1) - len(l2)
		// l12 is r×p.
		l12 := mat.NewDense(r, p, nil)
		if len(l2) == 0 {
			for i, j := range l1 {
				l12.Set(i, j, 1)
			}
		} else {
			lvl := mat.NewDense(len(l1), len(l2), nil)
			for i, a := range l1 {
				for k, b := range l2 {
					lvl.Set(i, k, cov.At(a, b))
				}
			}
			var qr mat.QR
			qr.Factorize(lvl)
			var q mat.Dense
			qr.QTo(&q)
			m := len(l1)
			for i := 0; i < r; i++ {
				for k, a := range l1 {
					l12.Set(i, a, q.At(k, m-r+i))
				}
			}
		}
		// Rβ and R·Cov·Rᵀ.
		rb := mat.NewVecDense(r, nil)
		rb.MulVec(l12, mat.NewVecDense(p, append([]float64(nil), fit.Params...)))
		var rc, rcr mat.Dense
		rc.Mul(l12, cov)
		rcr.Mul(&rc, l12.T())
		inv, rank := aePinv(&rcr)
		var quad float64
		for i := 0; i < r; i++ {
			for k := 0; k < r; k++ {
				quad += rb.AtVec(i) * inv.At(i, k) * rb.AtVec(k)
			}
		}
		f := quad / float64(rank)
		rows = append(rows, ols.AnovaRow{Source: t.Name, DF: r, SumSq: f * float64(r) * fit.Scale, F: f,
			PValue: stats.FSurvival(f, float64(rank), float64(fit.DfResid))})
	}
	rows = append(rows, ols.AnovaRow{Source: "Residual", DF: fit.DfResid, SumSq: fit.SSR, F: math.NaN(), PValue: math.NaN()})
	return rows, nil
}

// aePinv returns numpy's pinv (singular values below 1e-15·σmax dropped)
// and matrix_rank (tolerance σmax·max(m, n)·ε) of the square matrix a.
func aePinv(a *mat.Dense) (*mat.Dense, int) {
	n, _ := a.Dims()
	var svd mat.SVD
	out := mat.NewDense(n, n, nil)
	if !svd.Factorize(a, mat.SVDFull) {
		return out, 0
	}
	s := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	rank := 0
	if len(s) == 0 || !(s[0] > 0) {
		return out, 0
	}
	for k, sv := range s {
		if sv > s[0]*float64(n)*0x1p-52 {
			rank++
		}
		if sv <= 1e-15*s[0] {
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

func aeContainsAll(set, sub []string) bool {
	for _, s := range sub {
		if !slices.Contains(set, s) {
			return false
		}
	}
	return true
}
