package multivariate

import (
	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// Matrix caps (seed-spec §1.6 item 1, the seed's later max_matrix_rows and
// max_matrix_cols). The cell cap alone does not bound the work: a 10,000-row,
// 100-column matrix is within 1,000,000 cells but an SVD of its transpose
// shape, or a NIPALS fit on it, is what the caps protect against. The seed
// raised these inside the tool; here they are input_too_large errors found
// before the call is enqueued.
const (
	// MaxMatrixRows is the largest number of rows a data matrix may have.
	MaxMatrixRows = 10_000
	// MaxMatrixCols is the largest number of columns a data matrix may have.
	MaxMatrixCols = 500
)

// checkMatrix enforces the matrix caps on m, then its shape. The size caps
// come first, as in the registry's own limits: an oversized matrix is
// reported as input_too_large even when it is also ragged. The width checked
// is that of the widest row, so a ragged matrix cannot hide a wide row
// behind a narrow first one.
func checkMatrix(key string, m tool.Matrix) error {
	if rows := len(m); rows > MaxMatrixRows {
		return errcode.New(errcode.InputTooLarge, "%s has %d rows; the cap is %d", key, rows, MaxMatrixRows).
			With("key", key).With("limit", MaxMatrixRows).With("observed", rows)
	}
	widest := 0
	for _, r := range m {
		widest = max(widest, len(r))
	}
	if widest > MaxMatrixCols {
		return errcode.New(errcode.InputTooLarge, "%s has %d columns; the cap is %d", key, widest, MaxMatrixCols).
			With("key", key).With("limit", MaxMatrixCols).With("observed", widest)
	}
	return m.Rectangular(key)
}
