package ols

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// DefaultAliasThreshold is the seed's alias_threshold: columns whose
// correlation exceeds it in absolute value are aliases of each other.
const DefaultAliasThreshold = 0.995

// AliasedColumns returns, in increasing order, the columns of x that the
// seed's lm() (experiments/models.py, find_aliases) drops before fitting:
//
//   - a column varies when its population standard deviation exceeds
//     √ε ≈ 1.49e-8;
//   - for each varying column, its alias set is the varying columns whose
//     correlation with it (numpy's corrcoef of the columns) exceeds
//     threshold in absolute value, itself included; for each column that
//     does not vary, its alias set is every column that does not vary (the
//     intercept and any constant column);
//   - in each alias set every column is dropped except the one of lowest
//     degree (degrees[j], the number of factors of its term), the earliest
//     on a tie.
//
// So with A = B:C:D, B:C:D is dropped and A kept; with AB = CD, the first
// of the two is kept; a constant column beside the intercept is dropped.
// degrees must have one entry per column of x.
//
// The seed also set a varying column against a constant one whose numpy
// standard deviation was not exactly zero, which only rounding noise can
// make correlated; here a constant column is never an alias of a varying
// one.
func AliasedColumns(x mat.Matrix, degrees []int, threshold float64) []int {
	n, p := x.Dims()
	if len(degrees) != p {
		panic("ols: AliasedColumns needs one degree per column")
	}
	// Centre the columns, then C = XcᵀXc: the covariances up to a common
	// factor, which cancels in the correlations.
	xc := mat.DenseCopyOf(x)
	for j := 0; j < p; j++ {
		var m float64
		for i := 0; i < n; i++ {
			m += xc.At(i, j)
		}
		m /= float64(n)
		for i := 0; i < n; i++ {
			xc.Set(i, j, xc.At(i, j)-m)
		}
	}
	var c mat.SymDense
	c.SymOuterK(1, xc.T())
	varies := make([]bool, p)
	for j := 0; j < p; j++ {
		varies[j] = math.Sqrt(c.At(j, j)/float64(n)) > math.Sqrt(eps)
	}
	corr := func(a, b int) float64 { return c.At(a, b) / math.Sqrt(c.At(a, a)) / math.Sqrt(c.At(b, b)) }
	drop := make(map[int]bool)
	for idx := 0; idx < p; idx++ {
		var set []int
		for j := 0; j < p; j++ {
			switch {
			case varies[idx] && varies[j] && (j == idx || math.Abs(corr(idx, j)) > threshold):
				set = append(set, j)
			case !varies[idx] && !varies[j]:
				set = append(set, j)
			}
		}
		sort.Slice(set, func(a, b int) bool {
			if degrees[set[a]] != degrees[set[b]] {
				return degrees[set[a]] < degrees[set[b]]
			}
			return set[a] < set[b]
		})
		for _, j := range set[1:] {
			drop[j] = true
		}
	}
	out := make([]int, 0, len(drop))
	for j := range drop {
		out = append(out, j)
	}
	sort.Ints(out)
	return out
}
