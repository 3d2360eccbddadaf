package multivariate

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/tool"
)

// scaling holds the per-column centre and scale of MCUV scaling, in the
// units of the raw data.
type scaling struct {
	means, stds []float64
}

// mcuv mean-centres and unit-variance scales the columns of rows (NaN marks
// a missing cell), as the seed's MCUVScaler does with pandas: the mean and the
// sample standard deviation (ddof = 1) of each column skip missing cells, and
// a zero standard deviation is replaced by 1 so that a constant column
// becomes a column of zeros instead of NaN. Missing cells stay NaN in the
// result.
//
// names, when not nil, label the columns in error messages. A column with no
// values, or with a single value (whose standard deviation is undefined; the
// seed silently turned such a column into NaN), is a tool_error, as is a
// column whose values overflow when squared.
func mcuv(rows [][]float64, names []string) (xs *mat.Dense, sc scaling, err error) {
	n, k := len(rows), len(rows[0])
	sc = scaling{means: make([]float64, k), stds: make([]float64, k)}
	for j := 0; j < k; j++ {
		var sum float64
		count := 0
		for i := 0; i < n; i++ {
			if v := rows[i][j]; !math.IsNaN(v) {
				sum += v
				count++
			}
		}
		switch count {
		case 0:
			return nil, sc, tool.Errorf("column %s has no values: every cell is missing", columnLabel(names, j))
		case 1:
			return nil, sc, tool.Errorf("column %s has only one value, so its standard deviation is undefined", columnLabel(names, j))
		}
		mean := sum / float64(count)
		var ss float64
		for i := 0; i < n; i++ {
			if v := rows[i][j]; !math.IsNaN(v) {
				d := v - mean
				ss += d * d
			}
		}
		sd := math.Sqrt(ss / float64(count-1))
		if math.IsInf(mean, 0) || math.IsInf(sd, 0) || math.IsNaN(sd) {
			return nil, sc, tool.Errorf("column %s has values too large to scale", columnLabel(names, j))
		}
		if sd == 0 {
			sd = 1
		}
		sc.means[j], sc.stds[j] = mean, sd
	}
	xs = mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		row := xs.RawRowView(i)
		for j, v := range rows[i] {
			row[j] = (v - sc.means[j]) / sc.stds[j]
		}
	}
	return xs, sc, nil
}

// columnLabel names column j for an error message: by its name when the
// caller gave names, by its zero-based index otherwise.
func columnLabel(names []string, j int) string {
	if j < len(names) {
		return fmt.Sprintf("%q (index %d)", names[j], j)
	}
	return fmt.Sprintf("%d", j)
}
