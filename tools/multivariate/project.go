package multivariate

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// projection holds what scoring rows against a fitted model gives: their
// scores (N×A), Hotelling's T² and SPE.
type projection struct {
	scores  *mat.Dense
	t2, spe []float64
}

// project scores rows against a latent-variable model. xs holds the rows
// already scaled with the model's means and standard deviations; NaN marks a
// missing cell. p (K×A) holds the X loadings, and SPE is the norm of the
// residual x − t·Pᵀ over the row's present cells. scaling holds the standard
// deviation of each score, by which T² divides.
//
// When w (K×A) is given (the loadings P for PCA, the weights W for PLS),
// every row is scored the way NIPALS scored the training rows: one
// component at a time, tₐ = Σ xⱼwⱼₐ / Σ wⱼₐ² over the row's present cells,
// then x ← x − tₐpₐ. For a model fitted to complete data this is the seed's
// one product, T = X·P for PCA (P is orthonormal) and T = X·W* for PLS, to
// rounding. Unlike that product it also scores rows with missing cells,
// which the seed returned as NaN, and it gives a training row back the
// scores the fit gave it even when the model was fitted by NIPALS with
// missing cells, whose loadings are not exactly orthogonal (the seed's
// product did not).
//
// When w is nil (a PLS model_params without x_weights, as the seed's fit_pls
// wrote them), complete rows are scored by the seed's product with r (W*)
// and rows with missing cells are NaN; pls_predict refuses such rows before
// they get here.
func project(xs, w, p, r *mat.Dense, scaling []float64) projection {
	n, k := xs.Dims()
	_, a := p.Dims()
	pr := projection{scores: mat.NewDense(n, a, nil), t2: make([]float64, n), spe: make([]float64, n)}
	resid := make([]float64, k)
	for i := 0; i < n; i++ {
		x := xs.RawRowView(i)
		t := pr.scores.RawRowView(i)
		copy(resid, x)
		switch {
		case w != nil:
			for c := 0; c < a; c++ {
				var num, den float64
				for j, xj := range resid {
					if !math.IsNaN(xj) {
						wj := w.At(j, c)
						num += wj * xj
						den += wj * wj
					}
				}
				t[c] = ratio(num, den)
				for j := range resid {
					resid[j] -= t[c] * p.At(j, c)
				}
			}
		case !hasNaNRow(x):
			for c := 0; c < a; c++ {
				var s float64
				for j, xj := range x {
					s += xj * r.At(j, c)
				}
				t[c] = s
			}
			for c := 0; c < a; c++ {
				for j := range resid {
					resid[j] -= t[c] * p.At(j, c)
				}
			}
		default:
			for c := range t {
				t[c] = math.NaN()
			}
			pr.t2[i], pr.spe[i] = math.NaN(), math.NaN()
			continue
		}
		var ss float64
		for _, e := range resid {
			if !math.IsNaN(e) {
				ss += e * e
			}
		}
		pr.spe[i] = math.Sqrt(ss)
		pr.t2[i] = hotellingsT2(t, scaling)
	}
	return pr
}

// hasNaNRow reports whether any value of x is missing.
func hasNaNRow(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) {
			return true
		}
	}
	return false
}

// scaleRows applies a model's MCUV scaling to new rows: (x − mean)/std,
// missing cells staying NaN.
func scaleRows(rows [][]float64, means, stds []float64) *mat.Dense {
	xs := mat.NewDense(len(rows), len(means), nil)
	for i, row := range rows {
		out := xs.RawRowView(i)
		for j, v := range row {
			out[j] = (v - means[j]) / stds[j]
		}
	}
	return xs
}
