package batch

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// The seed groups by (batch, phase) and, with no phase column, inserts a
// constant one; with no batch column, a constant batch. Both appear in its
// output records.
const (
	phaseKey        = "__phase_grouper__"
	phaseValue      = "NoPhases"
	batchGrouperKey = "__batch_grouper__"
)

// maxSlopePairs bounds the work of the slope feature, whose repeated-median
// slope costs O(n²) per batch and value column: the sum over batches of
// the squared row count, times the number of value columns. It is four
// slopes at stats.MaxRegressionPoints, about four seconds.
const maxSlopePairs = 4 * stats.MaxRegressionPoints * stats.MaxRegressionPoints

// feature is one entry of the seed's feature table.
type feature struct {
	suffix string // output column name: <value column>_<suffix>
	timed  bool   // needs the time column
	// calc computes the feature of one batch's values y (row order) with
	// their times t (row order; nil unless timed). It returns a pyfmt.Float
	// or, for count, an int.
	calc func(t, y []float64) any
}

var features = map[string]feature{
	"mean":   {suffix: "mean", calc: scalar(stats.NanMean)},
	"median": {suffix: "median", calc: scalar(stats.NanMedian)},
	"std":    {suffix: "std", calc: scalar(func(y []float64) float64 { return stats.NanStd(y, 1) })},
	"iqr": {suffix: "iqr", calc: scalar(func(y []float64) float64 {
		p := stats.NanPercentiles(y, 25, 75)
		return p[1] - p[0]
	})},
	"mad":        {suffix: "mad", calc: scalar(stats.MeanAbsDeviation)},
	"robust_mad": {suffix: "mad_robust", calc: scalar(stats.MADNormal)},
	"sum":        {suffix: "sum", calc: scalar(nanSum)},
	"min":        {suffix: "min", calc: scalar(stats.NanMin)},
	"max":        {suffix: "max", calc: scalar(stats.NanMax)},
	"last":       {suffix: "endpoint", calc: scalar(lastValue)},
	"count":      {suffix: "count", calc: func(_, y []float64) any { return stats.Count(y) }},
	"area":       {suffix: "area", timed: true, calc: func(t, y []float64) any { return pyfmt.Float(area(t, y)) }},
	"slope":      {suffix: "slope", timed: true, calc: func(t, y []float64) any { return pyfmt.Float(slope(t, y)) }},
}

// scalar adapts a reduction of the values to feature.calc.
func scalar(f func([]float64) float64) func(t, y []float64) any {
	return func(_, y []float64) any { return pyfmt.Float(f(y)) }
}

// nanSum is pandas' sum: missing values are skipped, and a batch without
// any value sums to 0.
func nanSum(y []float64) float64 {
	s := 0.0
	for _, v := range y {
		if !math.IsNaN(v) {
			s += v
		}
	}
	return s
}

// lastValue is pandas' GroupBy.last: the last non-missing value in row
// order, NaN if there is none.
func lastValue(y []float64) float64 {
	for i := len(y) - 1; i >= 0; i-- {
		if !math.IsNaN(y[i]) {
			return y[i]
		}
	}
	return math.NaN()
}

// area is the trapezoidal area under y against t over the rows where both
// are present, in time order (ties keep row order). The seed summed the
// trapezoids of all rows, skipping any that touched a missing value, which
// dropped two intervals per gap; here the curve bridges the gap.
func area(t, y []float64) float64 {
	ts, ys := stats.CompletePairs(t, y)
	idx := make([]int, len(ts))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(ts[a], ts[b]) })
	st, sy := make([]float64, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		st[i], sy[i] = ts[j], ys[j]
	}
	return stats.Trapezoid(st, sy)
}

// slope is the repeated-median slope of y on t over the rows where both are
// present; NaN with fewer than three such rows (the seed's
// repeated_median_slope needs three) or when every time is the same.
func slope(t, y []float64) float64 {
	ts, ys := stats.CompletePairs(t, y)
	b, err := stats.RepeatedMedianSlope(ts, ys)
	if err != nil {
		return math.NaN()
	}
	return b
}

type batchInput struct {
	Data         []map[string]json.RawMessage `json:"data"`
	ValueColumns []string                     `json:"value_columns"`
	Features     []string                     `json:"features"`
	BatchColumn  string                       `json:"batch_column"`
	TimeColumn   *string                      `json:"time_column"`
}

// prepared is a validated input, grouped by batch.
type prepared struct {
	features []string
	tags     []string
	batchKey string       // the output key of the batch id
	batches  []batchGroup // in sorted order
	values   [][]float64  // per value column, per row; NaN where missing
	times    []float64    // per row; nil unless a timed feature is asked for
}

type batchGroup struct {
	id   any   // string, int64 or pyfmt.Float
	rows []int // indices into data, in row order
}

// prepare decodes and checks the input and groups its rows. Its errors are
// input_invalid or input_too_large, so that Def.Check can use it.
func prepare(input json.RawMessage) (*prepared, error) {
	in := batchInput{Features: []string{"mean", "std"}, BatchColumn: "batch"}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	if len(in.Data) == 0 || len(in.ValueColumns) == 0 || len(in.Features) == 0 {
		return nil, tool.Invalidf("data, value_columns and features must not be empty")
	}
	p := &prepared{features: in.Features, tags: in.ValueColumns}

	timed := false
	for _, f := range in.Features {
		ft, ok := features[f]
		if !ok {
			return nil, tool.Invalidf("unknown feature %q", f).With("key", "features")
		}
		timed = timed || ft.timed
		if ft.timed && in.TimeColumn == nil {
			// The seed's message.
			return nil, tool.Invalidf("Feature '%s' requires time_column to be specified.", f).With("key", "time_column")
		}
	}
	if err := uniqueNames("value_columns", in.ValueColumns); err != nil {
		return nil, err
	}
	if err := uniqueNames("features", in.Features); err != nil {
		return nil, err
	}
	if slices.Contains(in.ValueColumns, in.BatchColumn) {
		return nil, tool.Invalidf("value_columns contains the batch column %q", in.BatchColumn).With("key", "value_columns")
	}

	for _, tag := range in.ValueColumns {
		if !anyRowHas(in.Data, tag) {
			return nil, tool.Invalidf("value column %q is in no row of data", tag).With("key", "value_columns").With("column", tag)
		}
	}
	p.values = make([][]float64, len(in.ValueColumns))
	for j, tag := range in.ValueColumns {
		col, err := numberColumn(in.Data, tag, "value")
		if err != nil {
			return nil, err
		}
		p.values[j] = col
	}
	if timed {
		if !anyRowHas(in.Data, *in.TimeColumn) {
			return nil, tool.Invalidf("time column %q is in no row of data", *in.TimeColumn).With("key", "time_column")
		}
		col, err := numberColumn(in.Data, *in.TimeColumn, "time")
		if err != nil {
			return nil, err
		}
		p.times = col
	}

	if err := p.group(in.Data, in.BatchColumn); err != nil {
		return nil, err
	}
	if slices.Contains(in.Features, "slope") {
		if err := p.checkSlopeWork(); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{p.batchKey: true, phaseKey: true}
	for _, name := range p.columnNames() {
		if seen[name] {
			return nil, tool.Invalidf("output column %q would appear twice (a feature name equals the batch column, %q or another feature)", name, phaseKey).
				With("column", name)
		}
		seen[name] = true
	}
	return p, nil
}

func uniqueNames(key string, names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return tool.Invalidf("%s has %q twice", key, n).With("key", key)
		}
		seen[n] = true
	}
	return nil
}

func anyRowHas(data []map[string]json.RawMessage, col string) bool {
	for _, row := range data {
		if _, ok := row[col]; ok {
			return true
		}
	}
	return false
}

// numberColumn reads a value or time column: numbers, with null or an
// absent cell as NaN.
func numberColumn(data []map[string]json.RawMessage, col, what string) ([]float64, error) {
	out := make([]float64, len(data))
	for i, row := range data {
		raw := bytes.TrimSpace(row[col])
		if len(raw) == 0 || raw[0] == 'n' {
			out[i] = math.NaN()
			continue
		}
		// raw is a JSON value: anything but a number fails to parse, and
		// so does a number beyond the float range.
		v, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || math.IsInf(v, 0) {
			return nil, tool.Invalidf("data[%d][%q] is %s; %s columns hold numbers or null", i, col, truncate(raw), what).
				With("row", i).With("column", col)
		}
		out[i] = v
	}
	return out, nil
}

func truncate(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}

// group sorts the rows into batches by the batch column, as pandas'
// groupby does: batches in ascending order of their id, rows with a missing
// id left out. Ids are all strings or all numbers; integers stay integers
// in the output.
func (p *prepared) group(data []map[string]json.RawMessage, batchCol string) error {
	if !anyRowHas(data, batchCol) {
		rows := make([]int, len(data))
		for i := range rows {
			rows[i] = i
		}
		p.batchKey = batchGrouperKey
		p.batches = []batchGroup{{id: int64(1), rows: rows}}
		return nil
	}
	p.batchKey = batchCol

	var strs, nums []int // rows with a string id, with a numeric id
	for i, row := range data {
		raw := bytes.TrimSpace(row[batchCol])
		switch {
		case len(raw) == 0 || raw[0] == 'n':
		case raw[0] == '"':
			strs = append(strs, i)
		case raw[0] == 't' || raw[0] == 'f' || raw[0] == '[' || raw[0] == '{':
			return tool.Invalidf("data[%d][%q] is %s; batch ids are strings or numbers", i, batchCol, truncate(raw)).
				With("row", i).With("column", batchCol)
		default:
			nums = append(nums, i)
		}
	}
	switch {
	case len(strs) > 0 && len(nums) > 0:
		return tool.Invalidf("batch column %q mixes strings (data[%d]) and numbers (data[%d]); they cannot be ordered",
			batchCol, strs[0], nums[0]).With("column", batchCol)
	case len(strs) > 0:
		return p.groupBy(strs, func(i int) (string, any, error) {
			var s string
			err := json.Unmarshal(data[i][batchCol], &s)
			return s, s, err
		}, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	case len(nums) > 0:
		integers := true
		for _, i := range nums {
			if bytes.ContainsAny(data[i][batchCol], ".eE") {
				integers = false
				break
			}
			if _, err := strconv.ParseInt(string(bytes.TrimSpace(data[i][batchCol])), 10, 64); err != nil {
				integers = false
				break
			}
		}
		if integers {
			return p.groupBy(nums, func(i int) (string, any, error) {
				v, err := strconv.ParseInt(string(bytes.TrimSpace(data[i][batchCol])), 10, 64)
				return strconv.FormatInt(v, 10), v, err
			}, func(a, b any) int { return cmp.Compare(a.(int64), b.(int64)) })
		}
		return p.groupBy(nums, func(i int) (string, any, error) {
			v, err := strconv.ParseFloat(string(bytes.TrimSpace(data[i][batchCol])), 64)
			if err == nil && math.IsInf(v, 0) {
				err = strconv.ErrRange
			}
			if v == 0 {
				v = 0 // −0 and 0 are one batch
			}
			return strconv.FormatFloat(v, 'g', -1, 64), v, err
		}, func(a, b any) int { return cmp.Compare(a.(float64), b.(float64)) })
	default:
		return tool.Invalidf("no row of data has a batch id in column %q", batchCol).With("column", batchCol)
	}
}

// groupBy groups rows by the key that id returns, orders the groups with
// compare on the ids' values, and stores them.
func (p *prepared) groupBy(rows []int, id func(i int) (key string, value any, err error), compare func(a, b any) int) error {
	index := map[string]int{}
	for _, i := range rows {
		key, value, err := id(i)
		if err != nil {
			return tool.Invalidf("data[%d] has a batch id that cannot be read: %v", i, err).With("row", i)
		}
		g, ok := index[key]
		if !ok {
			g = len(p.batches)
			index[key] = g
			p.batches = append(p.batches, batchGroup{id: value})
		}
		p.batches[g].rows = append(p.batches[g].rows, i)
	}
	slices.SortFunc(p.batches, func(a, b batchGroup) int { return compare(a.id, b.id) })
	for i, b := range p.batches {
		if f, ok := b.id.(float64); ok {
			p.batches[i].id = pyfmt.Float(f)
		}
	}
	return nil
}

// checkSlopeWork enforces the caps on the slope feature's O(n²) work.
func (p *prepared) checkSlopeWork() error {
	work := 0
	for _, b := range p.batches {
		n := len(b.rows)
		if n > stats.MaxRegressionPoints {
			return errcode.New(errcode.InputTooLarge, "the slope feature takes at most %d rows per batch; batch %v has %d",
				stats.MaxRegressionPoints, b.id, n).
				With("key", "data").With("limit", stats.MaxRegressionPoints).With("observed", n)
		}
		work += n * n
		if work*len(p.tags) > maxSlopePairs {
			return errcode.New(errcode.InputTooLarge, "the slope feature's work (the squared row counts of the batches, "+
				"summed, times %d value columns) exceeds %d", len(p.tags), maxSlopePairs).
				With("key", "data").With("limit", maxSlopePairs)
		}
	}
	return nil
}

// columnNames returns the feature columns in the seed's order: by feature
// as requested, then by value column.
func (p *prepared) columnNames() []string {
	names := make([]string, 0, len(p.features)*len(p.tags))
	for _, f := range p.features {
		for _, tag := range p.tags {
			names = append(names, tag+"_"+features[f].suffix)
		}
	}
	return names
}

type batchOutput struct {
	// FeatureMatrix has one object per batch, its keys in order: the
	// batch id, the phase, then the features.
	FeatureMatrix     []pydict.Dict `json:"feature_matrix"`
	NBatches          int           `json:"n_batches"`
	NFeatures         int           `json:"n_features"`
	FeaturesExtracted []string      `json:"features_extracted"`
}

func extractBatchFeaturesDef() tool.Def {
	return tool.Def{
		Name:     "extract_batch_features",
		Example:  `{"data": [{"batch": "A", "t": 0, "temp": 20}, {"batch": "A", "t": 1, "temp": 22}, {"batch": "B", "t": 0, "temp": 21}, {"batch": "B", "t": 1, "temp": 25}], "value_columns": ["temp"], "time_column": "t", "features": ["mean", "max", "area", "slope", "mad"]}`,
		Category: Category,
		Description: "Summarise batch process data: for every batch and every value column (tag), compute the requested features, " +
			"giving a feature matrix with one row per batch, ready for a multivariate analysis of batches (PCA, PLS). " +
			"Input: data (long format, one object per row with the batch column, optionally a time column, and numeric value " +
			"columns; null = missing), value_columns, features (default [\"mean\", \"std\"]), batch_column (default \"batch\") and " +
			"time_column (needed by area and slope). " +
			"Features, each named <column>_<suffix>: mean; median; std (sample standard deviation); iqr (75th − 25th percentile, " +
			"linear interpolation); mad (mean absolute deviation about the mean, as pandas 1.x computed it); robust_mad " +
			"(median absolute deviation ÷ 0.6744897501960817, suffix mad_robust); sum (0 for a batch without values); min; max; " +
			"last (the last non-missing value in row order, suffix endpoint); count (non-missing values, an integer); area " +
			"(trapezoidal area under the value-against-time curve, rows in time order); slope (Siegel's repeated-median slope " +
			"of value on time, robust to outliers; null with fewer than 3 rows holding both). Missing values are skipped. " +
			"Batches are in ascending order of their id; rows without a batch id are left out; when no row has the batch column " +
			"all rows form one batch, __batch_grouper__ = 1. " +
			"Output: feature_matrix (one object per batch: the batch id under the batch column's name, \"__phase_grouper__\": " +
			"\"NoPhases\", then the features in the order requested, each for the value columns in their order), n_batches, " +
			"n_features (feature columns) and features_extracted. " +
			"Limits: with slope, at most 5,000 rows per batch, and the batches' squared row counts, summed and multiplied by " +
			"the number of value columns, at most 100,000,000. " +
			"Differences from the seed: slope works (the seed passed its time column under the wrong argument name and always " +
			"failed); robust_mad works (the seed stopped at a deliberate assertion); mad works (the seed relied on pandas' " +
			"GroupBy.mad, removed in pandas 2); area bridges a missing value instead of dropping the two intervals next to it, " +
			"and is null for a batch without values; value and time cells must be numbers or null, batch ids strings or numbers " +
			"(not mixed), and value columns must exist and differ from the batch column (the seed failed with pandas errors " +
			"or computed on the wrong column); a missing time_column for area or slope is an input error.",
		Schema: schema("extract_batch_features"),
		Check: func(input json.RawMessage) error {
			_, err := prepare(input)
			return err
		},
		Run: runExtractBatchFeatures,
	}
}

func runExtractBatchFeatures(ctx context.Context, input json.RawMessage) (any, error) {
	p, err := prepare(input)
	if err != nil {
		return nil, err
	}
	names := p.columnNames()
	out := batchOutput{
		FeatureMatrix:     make([]pydict.Dict, len(p.batches)),
		NBatches:          len(p.batches),
		NFeatures:         len(names),
		FeaturesExtracted: p.features,
	}
	var t, y []float64
	for bi, b := range p.batches {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		row := make(pydict.Dict, 0, len(names)+2)
		// A batch id is HTMLEscaped as it always was (see
		// pydict.HTMLEscaped).
		row = append(row, pydict.Item{p.batchKey, pydict.HTMLEscaped{V: b.id}}, pydict.Item{phaseKey, phaseValue})
		if p.times != nil {
			t = gather(t[:0], p.times, b.rows)
		}
		k := 0
		for _, f := range p.features {
			ft := features[f]
			for j := range p.tags {
				y = gather(y[:0], p.values[j], b.rows)
				var v any
				if ft.timed {
					v = ft.calc(t, y)
				} else {
					v = ft.calc(nil, y)
				}
				row = append(row, pydict.Item{names[k], v})
				k++
			}
		}
		out.FeatureMatrix[bi] = row
	}
	return out, nil
}

func gather(dst, col []float64, rows []int) []float64 {
	for _, i := range rows {
		dst = append(dst, col[i])
	}
	return dst
}
