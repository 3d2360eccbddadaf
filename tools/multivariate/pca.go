package multivariate

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

// epsSqrt is √(float64 machine epsilon), the seed's epsqrt: the NIPALS
// convergence tolerance and the threshold below which a regression
// denominator or the variance left in the data counts as zero.
var epsSqrt = math.Sqrt(0x1p-52)

// nipalsMaxIter bounds the NIPALS iterations per component. The seed stops
// once the count exceeds md_max_iter = 1000, so at most 1001 iterations run.
const nipalsMaxIter = 1000

// Algorithms a pcaModel can have been fitted with.
const (
	algoSVD    = "svd"
	algoNIPALS = "nipals"
)

// pcaModel is a PCA model fitted to MCUV-scaled data (seed-spec §2.3, tool
// 10). Vectors indexed by component have length A; vectors indexed by
// observation have length N.
type pcaModel struct {
	n, k, a   int
	algorithm string

	// loadings is K×A and scores N×A. Each loading column is signed so
	// that its largest-magnitude element is positive (Wold, Esbensen and
	// Geladi 1987, p. 42), which removes the SVD's sign ambiguity.
	loadings, scores *mat.Dense

	// explainedVariance[a] = t_aᵀt_a/(N−1), the variance of score a.
	explainedVariance []float64
	// scalingFactor[a] = √explainedVariance[a], the standard deviation of
	// score a, by which T² scales each score.
	scalingFactor []float64
	// r2Cumulative[a] = 1 − ΣΣE²/ΣΣXs² after a+1 components (missing
	// cells skipped); r2PerComponent holds its successive differences.
	r2Cumulative, r2PerComponent []float64
	// spe[i] is the seed's "SPE" after all A components: the square root
	// of row i's residual sum of squares (missing cells skipped).
	spe []float64
	// t2[i] is Hotelling's T² of row i over all A components:
	// Σ_a (t_ia/scalingFactor[a])².
	t2 []float64
	// iterations holds the NIPALS iteration count per component; nil for
	// an SVD fit.
	iterations []int
}

// fitPCA fits an A-component PCA model to xs, which must already be MCUV
// scaled; NaN cells are missing. Complete data is decomposed by a thin SVD
// and data with missing cells by NIPALS, the seed's algorithm="auto". xs is
// not modified. fitPCA panics if a lies outside [1, min(N, K)]: clamping the
// request is the caller's decision, and it must report it.
//
// The only errors are tool_errors (the SVD did not converge, no variance is
// left for a NIPALS component) and ctx's error when it is cancelled during
// NIPALS.
func fitPCA(ctx context.Context, xs *mat.Dense, a int) (*pcaModel, error) {
	n, k := xs.Dims()
	if a < 1 || a > min(n, k) {
		panic("multivariate: fitPCA called with an unclamped number of components")
	}
	m := &pcaModel{n: n, k: k, a: a}
	var err error
	if hasNaN(xs) {
		m.algorithm = algoNIPALS
		err = m.fitNIPALS(ctx, xs)
	} else {
		m.algorithm = algoSVD
		err = m.fitSVD(xs)
	}
	if err != nil {
		return nil, err
	}
	m.finish()
	return m, nil
}

// fitSVD is the complete-data path: P = V[:, :A] and T = U[:, :A]·S[:A] from
// the thin SVD Xs = U·S·Vᵀ, then R² and SPE by deflating one component at a
// time, as the seed does.
func (m *pcaModel) fitSVD(xs *mat.Dense) error {
	var svd mat.SVD
	if !svd.Factorize(xs, mat.SVDThin) {
		return tool.Errorf("the singular value decomposition did not converge")
	}
	s := svd.Values(nil)
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)

	m.loadings = mat.NewDense(m.k, m.a, nil)
	m.scores = mat.NewDense(m.n, m.a, nil)
	for c := 0; c < m.a; c++ {
		for j := 0; j < m.k; j++ {
			m.loadings.Set(j, c, v.At(j, c))
		}
		for i := 0; i < m.n; i++ {
			m.scores.Set(i, c, u.At(i, c)*s[c])
		}
		// The SVD path flips only a strictly negative largest element.
		if m.loadings.At(argMaxAbs(m.loadings.ColView(c)), c) < 0 {
			m.flip(c)
		}
	}

	xd := mat.DenseCopyOf(xs)
	base := sumSquares(xd)
	m.r2Cumulative = make([]float64, m.a)
	for c := 0; c < m.a; c++ {
		m.deflate(xd, c)
		m.r2Cumulative[c] = 1 - sumSquares(xd)/base
	}
	m.spe = rootRowSumSquares(xd)
	return nil
}

// fitNIPALS is the missing-data path, the seed's _fit_nipals. For each
// component it starts from t = (first column of the residual, missing → 0)
// + 1 and alternates
//
//	p = Xᵀt/(tᵀt), p ← p/‖p‖, t = Xp/(pᵀp)
//
// where each regression sums over the present cells only (the seed's
// quick_regress; a denominator of at most √eps gives a zero coefficient),
// until ‖t_old − t‖ < √eps or the iteration count exceeds nipalsMaxIter.
// It then deflates X ← X − tpᵀ (missing cells stay missing) and applies the
// sign convention.
//
// The seed chose between regressing on columns and on rows from the array
// shapes alone, so on a square matrix (N == K) its score step regressed on
// columns instead of rows and produced wrong scores. This port always uses
// the row regression for t.
func (m *pcaModel) fitNIPALS(ctx context.Context, xs *mat.Dense) error {
	n, k := m.n, m.k
	xd := mat.DenseCopyOf(xs)
	base := sumSquares(xd)

	m.loadings = mat.NewDense(k, m.a, nil)
	m.scores = mat.NewDense(n, m.a, nil)
	m.r2Cumulative = make([]float64, m.a)
	m.iterations = make([]int, m.a)

	t, tOld := make([]float64, n), make([]float64, n)
	p, den := make([]float64, k), make([]float64, k)
	for c := 0; c < m.a; c++ {
		if sumSquares(xd) < epsSqrt {
			return tool.Errorf("there is no variance left in the data: cannot compute component %d of %d", c+1, m.a)
		}
		for i := 0; i < n; i++ {
			v := xd.At(i, 0)
			if math.IsNaN(v) {
				v = 0
			}
			tOld[i], t[i] = v, v+1
		}
		iter := 0
		for !(distance(tOld, t) < epsSqrt || iter > nipalsMaxIter) {
			if err := ctx.Err(); err != nil {
				return err
			}
			copy(tOld, t)
			regressColumns(xd, t, p, den) // p = Xᵀt/(tᵀt)
			norm := math.Sqrt(dot(p, p))
			for j := range p {
				p[j] /= norm
			}
			regressRows(xd, p, t) // t = Xp/(pᵀp)
			iter++
		}
		m.iterations[c] = iter

		m.loadings.SetCol(c, p)
		m.scores.SetCol(c, t)
		m.deflate(xd, c)
		m.r2Cumulative[c] = 1 - sumSquares(xd)/base
		// The NIPALS path flips unless the largest element is positive
		// (np.sign(p) < 1 in the seed), so a zero is flipped too; the
		// difference from the SVD path only matters for an all-zero p.
		if !(p[argMaxAbs(m.loadings.ColView(c))] > 0) {
			m.flip(c)
		}
	}
	m.spe = rootRowSumSquares(xd)
	return nil
}

// finish derives what both paths share: explained variance, score scaling
// factors, R² per component and the cumulative Hotelling's T².
func (m *pcaModel) finish() {
	m.explainedVariance, m.scalingFactor, m.t2 = scoreStatistics(m.scores)
	m.r2PerComponent = differences(m.r2Cumulative)
}

// deflate subtracts component c from xd: xd ← xd − t_c p_cᵀ. NaN cells stay
// NaN.
func (m *pcaModel) deflate(xd *mat.Dense, c int) {
	subtractOuter(xd, mat.Col(nil, c, m.scores), mat.Col(nil, c, m.loadings))
}

// flip negates loading column c and score column c together.
func (m *pcaModel) flip(c int) {
	for j := 0; j < m.k; j++ {
		m.loadings.Set(j, c, -m.loadings.At(j, c))
	}
	for i := 0; i < m.n; i++ {
		m.scores.Set(i, c, -m.scores.At(i, c))
	}
}

// argMaxAbs returns the index of the first element of largest magnitude,
// numpy's argmax(abs(v)).
func argMaxAbs(v mat.Vector) int {
	best, at := -1.0, 0
	for i := 0; i < v.Len(); i++ {
		if a := math.Abs(v.AtVec(i)); a > best {
			best, at = a, i
		}
	}
	return at
}

// ratio is a regression coefficient num/den, or 0 when the denominator is too
// small for the coefficient to mean anything (a row or column whose present
// cells carry no weight).
func ratio(num, den float64) float64 {
	if math.Abs(den) > epsSqrt {
		return num / den
	}
	return 0
}

// hasNaN reports whether any cell of x is missing.
func hasNaN(x *mat.Dense) bool {
	n, _ := x.Dims()
	for i := 0; i < n; i++ {
		for _, v := range x.RawRowView(i) {
			if math.IsNaN(v) {
				return true
			}
		}
	}
	return false
}

// sumSquares is the sum of squares of x's present cells (the seed's ssq).
func sumSquares(x *mat.Dense) float64 {
	n, _ := x.Dims()
	var s float64
	for i := 0; i < n; i++ {
		for _, v := range x.RawRowView(i) {
			if !math.IsNaN(v) {
				s += v * v
			}
		}
	}
	return s
}

// rootRowSumSquares returns, per row, √(sum of squares of the present cells).
func rootRowSumSquares(x *mat.Dense) []float64 {
	n, _ := x.Dims()
	out := make([]float64, n)
	for i := range out {
		var s float64
		for _, v := range x.RawRowView(i) {
			if !math.IsNaN(v) {
				s += v * v
			}
		}
		out[i] = math.Sqrt(s)
	}
	return out
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// distance is the Euclidean norm of a − b.
func distance(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// floatRows returns x as rows of Python-style floats, for JSON.
func floatRows(x *mat.Dense) [][]pyfmt.Float {
	r, _ := x.Dims()
	out := make([][]pyfmt.Float, r)
	for i := range out {
		out[i] = pyfmt.Floats(x.RawRowView(i))
	}
	return out
}
