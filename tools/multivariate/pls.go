package multivariate

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/tool"
)

// plsModel is a PLS2 regression model fitted to MCUV-scaled X (N×K) and Y
// (N×M) by NIPALS (seed-spec §2.3, tool 11). Matrices indexed by component
// have A columns, where A is the number of components actually fitted.
type plsModel struct {
	n, k, m, a int

	// xWeights (W, K×A), xLoadings (P, K×A), yLoadings (C, M×A), xScores
	// (T, N×A) and yScores (U, N×A) come from the NIPALS iterations. Each
	// component is signed so that the largest-magnitude element of its X
	// loading is positive, as in PCA.
	xWeights, xLoadings, yLoadings, xScores, yScores *mat.Dense
	// directWeights is W* = W(PᵀW)⁻¹ (K×A), which gives the scores of
	// complete rows in one product, T = X·W*.
	directWeights *mat.Dense
	// beta is W*·Cᵀ (K×M): the regression coefficients of the scaled Y on
	// the scaled X.
	beta *mat.Dense
	// fitted is Ŷ = T·Cᵀ (N×M), in scaled units.
	fitted *mat.Dense

	// explainedVariance, scalingFactor and t2 are as in pcaModel.
	explainedVariance, scalingFactor, t2 []float64
	// r2y[a] is the seed's R² after a+1 components, ΣŶ²/ΣYs² over the
	// present cells of Y; r2yPerComponent holds its successive differences.
	r2y, r2yPerComponent []float64
	// r2x[a] = 1 − ΣE²/ΣXs² for the X residual E after a+1 components.
	r2x []float64
	// rmse[j][a] = √mean((Ys − Ŷ)²) for response j after a+1 components,
	// over its present cells, in scaled units.
	rmse [][]float64
	// spe[i] is √(row i's residual sum of squares in X after A components).
	spe []float64
	// iterations holds the NIPALS iteration count per component.
	iterations []int
	// stopped, when not empty, says why fitting stopped before the
	// requested number of components.
	stopped string
}

// fitPLS fits a PLS model of up to a components to xs and ys, which must be
// MCUV scaled; NaN cells are missing. a must lie in [1, min(N, K)] (fitPLS
// panics otherwise; the caller clamps and reports).
//
// Each component is the seed's NIPALS iteration (mode A). Starting from u =
// a column of Y (missing → 0) plus one, it alternates
//
//	w = Xᵀu/(uᵀu), w ← w/‖w‖, t = Xw/(wᵀw), c = Yᵀt/(tᵀt), u = Yc/(cᵀc)
//
// with every regression over the present cells only, until ‖u_old − u‖ <
// √eps or the iteration count exceeds nipalsMaxIter; then p = Xᵀt/(tᵀt) and
// X ← X − tpᵀ, Y ← Y − tcᵀ. The seed fitted complete data with scikit-learn's
// PLSRegression, which runs the same iteration (converging on w instead of
// u) and gives the same model to within the tolerance.
//
// The starting column is the Y column with the largest residual sum of
// squares (the first on ties). The seed always started from the first column,
// which is the same choice for a single response; with several, a first
// column that earlier components had already fitted exactly would start the
// iteration from nothing.
//
// Fitting stops early, keeping the components found so far, when X or Y has
// no variance left (a residual sum of squares below √eps) or when the
// residual of X carries nothing that covaries with the residual of Y. The
// seed failed in these cases (scikit-learn produced NaN, and inverting PᵀW
// then raised). Only when not even the first component can be fitted is it
// an error.
func fitPLS(ctx context.Context, xs, ys *mat.Dense, a int) (*plsModel, error) {
	n, k := xs.Dims()
	_, m := ys.Dims()
	if a < 1 || a > min(n, k) {
		panic("multivariate: fitPLS called with an unclamped number of components")
	}
	md := &plsModel{n: n, k: k, m: m}
	xd, yd := mat.DenseCopyOf(xs), mat.DenseCopyOf(ys)
	baseX := sumSquares(xd)

	var ws, ps, cs, ts, us [][]float64
	w, p, c := make([]float64, k), make([]float64, k), make([]float64, m)
	t, u, uOld := make([]float64, n), make([]float64, n), make([]float64, n)
	denK, denM := make([]float64, k), make([]float64, m)
	for comp := 0; comp < a; comp++ {
		if sumSquares(xd) < epsSqrt {
			md.stopped = "X has no variance left"
			break
		}
		if sumSquares(yd) < epsSqrt {
			md.stopped = "Y has no variance left"
			break
		}
		start := columnWithMostVariance(yd)
		for i := 0; i < n; i++ {
			v := yd.At(i, start)
			if math.IsNaN(v) {
				v = 0
			}
			uOld[i], u[i] = v, v+1
		}
		iter := 0
		degenerate := false
		for !(distance(uOld, u) < epsSqrt || iter > nipalsMaxIter) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			copy(uOld, u)
			regressColumns(xd, u, w, denK) // w = Xᵀu/(uᵀu)
			norm := math.Sqrt(dot(w, w))
			if !(norm > 0) || math.IsInf(norm, 0) {
				degenerate = true
				break
			}
			for j := range w {
				w[j] /= norm
			}
			regressRows(xd, w, t)          // t = Xw/(wᵀw)
			regressColumns(yd, t, c, denM) // c = Yᵀt/(tᵀt)
			regressRows(yd, c, u)          // u = Yc/(cᵀc)
			iter++
		}
		if degenerate || !(dot(t, t) > 0) {
			md.stopped = "what is left of X does not covary with what is left of Y"
			break
		}
		regressColumns(xd, t, p, denK) // p = Xᵀt/(tᵀt)
		subtractOuter(xd, t, p)
		subtractOuter(yd, t, c)
		md.r2x = append(md.r2x, 1-sumSquares(xd)/baseX)
		md.iterations = append(md.iterations, iter)

		// Flip unless the largest-magnitude element of p is positive, as
		// the PCA NIPALS path does.
		sign := 1.0
		if !(p[argMaxAbs(mat.NewVecDense(k, p))] > 0) {
			sign = -1
		}
		ws = append(ws, scaled(w, sign))
		ps = append(ps, scaled(p, sign))
		cs = append(cs, scaled(c, sign))
		ts = append(ts, scaled(t, sign))
		us = append(us, scaled(u, sign))
	}
	md.a = len(ws)
	if md.a == 0 {
		return nil, tool.Errorf("cannot fit a PLS component: %s", md.stopped)
	}
	md.xWeights = columns(k, ws)
	md.xLoadings = columns(k, ps)
	md.yLoadings = columns(m, cs)
	md.xScores = columns(n, ts)
	md.yScores = columns(n, us)
	md.spe = rootRowSumSquares(xd)
	if err := md.finish(ys); err != nil {
		return nil, err
	}
	return md, nil
}

// finish derives W*, β, the fitted values, the score statistics, and the R²
// and RMSE of Y per component.
func (md *plsModel) finish(ys *mat.Dense) error {
	var ptw, inv mat.Dense
	ptw.Mul(md.xLoadings.T(), md.xWeights)
	// PᵀW is unit upper triangular for complete data, so this only fails
	// when missing cells have made the components nearly collinear.
	if err := inv.Inverse(&ptw); err != nil {
		return tool.Errorf("the PLS weights are degenerate: PᵀW cannot be inverted (%v)", err)
	}
	md.directWeights = mat.NewDense(md.k, md.a, nil)
	md.directWeights.Mul(md.xWeights, &inv)
	md.beta = mat.NewDense(md.k, md.m, nil)
	md.beta.Mul(md.directWeights, md.yLoadings.T())
	md.explainedVariance, md.scalingFactor, md.t2 = scoreStatistics(md.xScores)

	// Ŷ after a+1 components, built up one component at a time.
	baseY := sumSquares(ys)
	yhat := mat.NewDense(md.n, md.m, nil)
	md.r2y = make([]float64, md.a)
	md.rmse = make([][]float64, md.m)
	for j := range md.rmse {
		md.rmse[j] = make([]float64, md.a)
	}
	sse := make([]float64, md.m)
	count := make([]int, md.m)
	for c := 0; c < md.a; c++ {
		for i := 0; i < md.n; i++ {
			ti := md.xScores.At(i, c)
			row := yhat.RawRowView(i)
			for j := range row {
				row[j] += ti * md.yLoadings.At(j, c)
			}
		}
		var explained float64
		clear(sse)
		clear(count)
		for i := 0; i < md.n; i++ {
			for j, y := range ys.RawRowView(i) {
				if math.IsNaN(y) {
					continue
				}
				f := yhat.At(i, j)
				explained += f * f
				sse[j] += (y - f) * (y - f)
				count[j]++
			}
		}
		md.r2y[c] = explained / baseY
		for j := range sse {
			md.rmse[j][c] = math.Sqrt(sse[j] / float64(count[j]))
		}
	}
	md.r2yPerComponent = differences(md.r2y)
	md.fitted = yhat
	return nil
}

// columnWithMostVariance returns the index of the column of x with the
// largest sum of squares over its present cells, the first on ties.
func columnWithMostVariance(x *mat.Dense) int {
	_, k := x.Dims()
	ss := make([]float64, k)
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		for j, v := range x.RawRowView(i) {
			if !math.IsNaN(v) {
				ss[j] += v * v
			}
		}
	}
	best := 0
	for j, s := range ss {
		if s > ss[best] {
			best = j
		}
	}
	return best
}

// scaled returns a new slice holding s·v.
func scaled(v []float64, s float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = s * x
	}
	return out
}

// columns builds an r×len(cols) matrix whose column c is cols[c].
func columns(r int, cols [][]float64) *mat.Dense {
	out := mat.NewDense(r, len(cols), nil)
	for c, col := range cols {
		out.SetCol(c, col)
	}
	return out
}
