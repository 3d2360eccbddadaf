package experiments

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// Designs given as a list of row objects (evaluate_design's design_matrix,
// augment_design's existing_design), read the way pandas.DataFrame(records)
// reads them: the columns in the order the keys first appear, a column of
// JSON integers kept as integers (int64) and one with any other number as
// floats.

// Caps on a design given as input: the seed's max_matrix_rows and
// max_factors_combinatorial (seed-spec §1.6).
const (
	doeMaxRows    = 10_000
	doeMaxFactors = 15
)

// doeRecords is a decoded design.
type doeRecords struct {
	names  []string // factor columns, RunOrder and Block removed
	rows   [][]float64
	isInt  []bool // the column held only integer literals
	nInput int    // columns before RunOrder and Block were removed
}

// decodeDoeRecords reads key from the raw list of objects. Every row must
// have the same keys (pandas would fill the gaps with NaN, which the seed's
// metrics then fail on) and only finite numbers, and there must be at least
// 2 rows.
func decodeDoeRecords(key string, raw json.RawMessage) (*doeRecords, error) {
	bad := func(format string, args ...any) error {
		return tool.Invalidf("%s: "+format, append([]any{key}, args...)...).With("key", key)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, bad("must be a list of objects")
	}
	var cols []string
	var rows [][]float64
	var isInt []bool
	for dec.More() {
		if len(rows) == doeMaxRows {
			return nil, errcode.New(errcode.InputTooLarge, "%s has more than %d rows; the cap is %d (max_matrix_rows)", key, doeMaxRows, doeMaxRows).
				With("key", key).With("limit", doeMaxRows)
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			return nil, bad("row %d is not an object", len(rows))
		}
		r := len(rows)
		var row []float64
		seen := map[string]bool{}
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return nil, bad("row %d: %v", r, err)
			}
			name := t.(string)
			if seen[name] {
				return nil, bad("row %d has the key %q twice", r, name)
			}
			seen[name] = true
			t, err = dec.Token()
			if err != nil {
				return nil, bad("row %d: %v", r, err)
			}
			num, ok := t.(json.Number)
			if !ok {
				return nil, bad("row %d: %q must be a number", r, name)
			}
			v, err := num.Float64()
			if err != nil {
				return nil, bad("row %d: %q = %s is not a finite number", r, name, num)
			}
			j := len(row)
			if r == 0 {
				cols = append(cols, name)
				isInt = append(isInt, true)
			} else if j >= len(cols) || cols[j] != name {
				return nil, bad("row %d has the keys in another order or other keys than row 0 (%s)", r, strings.Join(cols, ", "))
			}
			if strings.ContainsAny(num.String(), ".eE") {
				isInt[j] = false
			}
			row = append(row, v)
		}
		if _, err := dec.Token(); err != nil {
			return nil, bad("row %d: %v", r, err)
		}
		if len(row) != len(cols) {
			return nil, bad("row %d has %d keys; row 0 has %d", r, len(row), len(cols))
		}
		rows = append(rows, row)
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad("%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bad("unexpected data after the list")
	}
	out := &doeRecords{nInput: len(cols)}
	keep := make([]int, 0, len(cols))
	for j, n := range cols {
		if n != "RunOrder" && n != "Block" {
			keep = append(keep, j)
			out.names = append(out.names, n)
			out.isInt = append(out.isInt, isInt[j])
		}
	}
	if len(keep) == 0 {
		return nil, bad("has no factor columns (RunOrder and Block are not factors)")
	}
	if len(keep) > doeMaxFactors {
		return nil, errcode.New(errcode.InputTooLarge, "%s has %d factor columns; the cap is %d (max_factors_combinatorial)", key, len(keep), doeMaxFactors).
			With("key", key).With("limit", doeMaxFactors).With("observed", len(keep))
	}
	for _, row := range rows {
		r := make([]float64, len(keep))
		for i, j := range keep {
			r[i] = row[j]
		}
		out.rows = append(out.rows, r)
	}
	if len(out.rows) < 2 {
		return nil, tool.Invalidf("%s needs at least 2 rows", key).With("key", key)
	}
	return out, nil
}

// table returns the records as an output table with their column types.
func (d *doeRecords) table() doeTable {
	return doeTable{names: d.names, rows: d.rows, intCols: d.isInt}
}
