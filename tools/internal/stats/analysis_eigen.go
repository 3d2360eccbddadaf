package stats

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// NumpyEighMaxExact is the largest order for which EigenSymNumpy returns
// numpy's eigenvectors sign for sign. numpy.linalg.eigh calls LAPACK's
// dsyevd, which below this order (LAPACK's SMLSIZ) reduces to the same
// tridiagonal QL/QR iteration as gonum's Dsyev; above it dsyevd switches to
// divide and conquer, and an eigenvector may come back negated.
const NumpyEighMaxExact = 25

// EigenSymNumpy returns the eigenvalues of the symmetric k×k matrix a (row
// major, both triangles filled) in ascending order and the unit eigenvectors
// as the columns of vectors, like numpy.linalg.eigh(a). An eigenvector's sign is arbitrary;
// gonum's mat.EigenSym reads the upper triangle and, from k = 3 on, often
// returns the other sign than numpy, whereas this agrees with numpy for
// k ≤ NumpyEighMaxExact (checked on random matrices against numpy 1.24 with
// LAPACK 3.11). ok is false when the iteration fails or a is not finite.
func EigenSymNumpy(a []float64, k int) (values []float64, vectors *mat.Dense, ok bool) {
	if len(a) != k*k {
		panic("stats: EigenSymNumpy: a is not k×k")
	}
	for _, v := range a {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, nil, false
		}
	}
	if k == 0 {
		return []float64{}, &mat.Dense{}, true
	}
	s := blas64.Symmetric{N: k, Stride: k, Data: append([]float64(nil), a...), Uplo: blas.Lower}
	values = make([]float64, k)
	work := make([]float64, 1)
	lapack64.Syev(lapack.EVCompute, s, values, work, -1)
	work = make([]float64, int(work[0]))
	if !lapack64.Syev(lapack.EVCompute, s, values, work, len(work)) {
		return nil, nil, false
	}
	return values, mat.NewDense(k, k, s.Data), true
}
