package multivariate

import (
	"fmt"
	"math"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// A model_params object comes back from the caller, who may have edited it,
// so pca_predict and pls_predict check every part of it before use: the caps
// first (seed-spec §1.6 item 1: every array within the matrix caps, as
// input_too_large), then that it is a model fit_pca or fit_pls could have
// produced — every array present, of the length its dimension requires,
// without nulls, and with standard deviations positive — so that no
// model_params can make the tools index out of range or divide by zero.
//
// The dimensions are: K variables (at most MaxMatrixCols), A components (at
// most K), M responses (at most MaxMatrixCols) and N training rows (at most
// MaxMatrixRows).

// paramKey names a model_params field the way the seed's messages did.
func paramKey(field string) string { return "model_params['" + field + "']" }

// paramInvalid is an input_invalid error about one model_params field.
func paramInvalid(field, format string, args ...any) *errcode.Error {
	return tool.Invalidf("%s %s", paramKey(field), fmt.Sprintf(format, args...)).
		With("key", "model_params").With("field", field)
}

// paramSize is one model_params size to hold against its cap.
type paramSize struct {
	field, what string
	n, limit    int
}

// checkParamCaps enforces the caps on model_params: the two counts, in the
// seed's message form ("model_params['n_components']=51 exceeds the cap of
// 500."), then the array sizes.
func checkParamCaps(nComponents, nSamples float64, sizes []paramSize) error {
	for _, c := range []struct {
		field string
		v     float64
		limit int
	}{{"n_components", nComponents, MaxMatrixCols}, {"n_samples", nSamples, MaxMatrixRows}} {
		if c.v > float64(c.limit) {
			return errcode.New(errcode.InputTooLarge, "%s=%s exceeds the cap of %d.", paramKey(c.field), count(c.v), c.limit).
				With("key", "model_params").With("field", c.field).With("limit", c.limit)
		}
	}
	for _, s := range sizes {
		if s.n > s.limit {
			return errcode.New(errcode.InputTooLarge, "%s has %d %s, which exceeds the cap of %d.", paramKey(s.field), s.n, s.what, s.limit).
				With("key", "model_params").With("field", s.field).With("limit", s.limit).With("observed", s.n)
		}
	}
	return nil
}

// count formats a decoded JSON number that should be a count: as an integer
// when it is one.
func count(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprint(v)
}

// widest returns the length of the longest row of m.
func widest(m tool.Matrix) int {
	w := 0
	for _, r := range m {
		w = max(w, len(r))
	}
	return w
}

// checkParamCounts checks n_components and n_samples against each other and
// against K, the number of variables: A must be a whole number in [1, K]
// and N a whole number of at least 3 (the fit tools' minimum) and at least A.
// A model of a component per variable, or of as many components as rows,
// is possible (fit_pca clamps to min(N, K)); its T² limit is then infinite.
func checkParamCounts(nComponents, nSamples float64, k int) (a, n int, err error) {
	if nComponents < 1 || nComponents != math.Trunc(nComponents) {
		return 0, 0, paramInvalid("n_components", "must be a positive integer, not %s", count(nComponents))
	}
	if nSamples < 3 || nSamples != math.Trunc(nSamples) {
		return 0, 0, paramInvalid("n_samples", "must be an integer of at least 3, not %s", count(nSamples))
	}
	a, n = int(nComponents), int(nSamples)
	if a > k {
		return 0, 0, paramInvalid("n_components", "is %d, but the model has only %d variables", a, k)
	}
	if a > n {
		return 0, 0, paramInvalid("n_components", "is %d, more than %s=%d", a, paramKey("n_samples"), n)
	}
	return a, n, nil
}

// checkParamMatrix checks that a model_params matrix has the given shape
// (one row per rowsPer, one column per colsPer) and no nulls.
func checkParamMatrix(field string, m tool.Matrix, rows, cols int, rowsPer, colsPer string) error {
	if len(m) != rows {
		return paramInvalid(field, "has %d rows but should have %d, one per %s", len(m), rows, rowsPer)
	}
	for i, r := range m {
		if len(r) != cols {
			return paramInvalid(field, "row %d has %d values but should have %d, one per %s", i, len(r), cols, colsPer)
		}
		for j, v := range r {
			if math.IsNaN(float64(v)) {
				return paramInvalid(field, "has a null at [%d][%d]", i, j)
			}
		}
	}
	return nil
}

// Lower bounds a model_params vector may have to respect.
const (
	anyValue    = iota
	positive    // standard deviations, by which the data are divided
	nonNegative // score standard deviations and SPE values
)

// checkParamVector checks that a model_params vector has n values (one per
// per), none null, all within bound.
func checkParamVector(field string, v tool.Vector, n int, per string, bound int) error {
	if len(v) != n {
		return paramInvalid(field, "has %d values but should have %d, one per %s", len(v), n, per)
	}
	for i, x := range v {
		f := float64(x)
		switch {
		case math.IsNaN(f):
			return paramInvalid(field, "has a null at [%d]", i)
		case bound == positive && !(f > 0):
			return paramInvalid(field, "must hold positive standard deviations, but [%d] is %v", i, f)
		case bound == nonNegative && f < 0:
			return paramInvalid(field, "must not hold negative values, but [%d] is %v", i, f)
		}
	}
	return nil
}

// checkColumnNames checks optional names against the number of variables.
func checkColumnNames(field string, names []string, k int) error {
	if names != nil && len(names) != k {
		return paramInvalid(field, "has %d names but the model has %d variables", len(names), k)
	}
	return nil
}

// checkNewData checks the rows to score: the matrix caps, a rectangular
// matrix with one column per model variable, and at least one value in every
// row. Rows with missing cells need weights to be scored (see project);
// withoutWeights names the field that is missing when they are not there.
func checkNewData(m tool.Matrix, k int, withoutWeights string) error {
	if err := checkMatrix("new_data", m); err != nil {
		return err
	}
	if _, c := m.Dims(); c != k {
		return tool.Invalidf("new_data has %d columns but the model has %d variables", c, k).
			With("key", "new_data").With("expected", k).With("observed", c)
	}
	for i, r := range m {
		present := 0
		for _, v := range r {
			if !math.IsNaN(float64(v)) {
				present++
			}
		}
		switch {
		case present == 0:
			return tool.Invalidf("new_data row %d has no values: every cell is null", i).With("key", "new_data").With("row", i)
		case present < k && withoutWeights != "":
			return tool.Invalidf("new_data row %d has a missing value; scoring rows with missing values needs %s, which fit_pls returns", i, paramKey(withoutWeights)).
				With("key", "new_data").With("row", i)
		}
	}
	return nil
}

// firstError returns the first non-nil error. The checks it is given have
// no side effects and index nothing by another field's size, so evaluating
// them all is safe.
func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
