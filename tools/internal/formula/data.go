package formula

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// Rows is the data a model matrix is built from: one map per observation,
// from column name to value, like the seed's list of row dicts. A value is
// a number (json.Number, float64, float32 or any Go integer type), a
// string, a bool, or missing: nil, a NaN float, or an absent key.
//
// A column is numeric when every value it has is a number, and categorical
// when every value is a string or every value is a bool (pandas and patsy
// treat both as categories). A column that mixes kinds, or holds objects or
// arrays, is refused.
type Rows []map[string]any

// colKind is what a data column holds.
type colKind uint8

const (
	colMissing colKind = iota // no non-missing value anywhere
	colNumber
	colString
	colBool
)

func (k colKind) String() string {
	switch k {
	case colNumber:
		return "numbers"
	case colString:
		return "strings"
	case colBool:
		return "booleans"
	}
	return "no values"
}

// cell is one decoded value.
type cell struct {
	kind    colKind // colMissing when missing
	num     float64
	integer bool // a number written as an integer (JSON literal without '.', 'e' or 'E', or a Go integer)
	intText string
	str     string
	b       bool
}

// decode classifies a raw value. ok is false for a value of an unsupported
// type (object, array, …).
func decode(v any) (c cell, ok bool) {
	switch t := v.(type) {
	case nil:
		return cell{}, true
	case json.Number:
		s := t.String()
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return cell{}, false
		}
		c = cell{kind: colNumber, num: f}
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				c.integer, c.intText = true, strconv.FormatInt(i, 10)
			}
		}
		return c, true
	case float64:
		if math.IsNaN(t) {
			return cell{}, true
		}
		return cell{kind: colNumber, num: t}, true
	case float32:
		if math.IsNaN(float64(t)) {
			return cell{}, true
		}
		return cell{kind: colNumber, num: float64(t)}, true
	case int:
		return intCell(int64(t)), true
	case int8:
		return intCell(int64(t)), true
	case int16:
		return intCell(int64(t)), true
	case int32:
		return intCell(int64(t)), true
	case int64:
		return intCell(t), true
	case uint8:
		return intCell(int64(t)), true
	case uint16:
		return intCell(int64(t)), true
	case uint32:
		return intCell(int64(t)), true
	case string:
		return cell{kind: colString, str: t}, true
	case bool:
		return cell{kind: colBool, b: t}, true
	}
	return cell{}, false
}

func intCell(i int64) cell {
	return cell{kind: colNumber, num: float64(i), integer: true, intText: strconv.FormatInt(i, 10)}
}

// column is one variable of the data, decoded for every row.
type column struct {
	name  string
	kind  colKind
	cells []cell // one per row; kind colMissing where missing
	// floatTyped: pandas would hold the column as float64 (a non-integer
	// number or a missing value somewhere), so categorical level names of
	// its numbers are written as floats ("1.0").
	floatTyped bool
}

// readColumns decodes the named variables from every row, in one pass over
// the rows (a pass per variable would walk every row map once per column).
// Errors name the first bad value in row order.
func readColumns(rows Rows, names []string) ([]*column, error) {
	cols := make([]*column, len(names))
	for k, name := range names {
		cols[k] = &column{name: name, cells: make([]cell, len(rows))}
	}
	present := make([]bool, len(names))
	for i, row := range rows {
		for k, name := range names {
			col := cols[k]
			v, has := row[name]
			if !has {
				col.floatTyped = true
				continue
			}
			present[k] = true
			c, ok := decode(v)
			if !ok {
				return nil, errcode.New(errcode.InputInvalid, "column %s, row %d: a value must be a number, a string, a boolean or null", pyfmt.Quote(name), i).
					With("key", "data").With("column", name).With("row", i)
			}
			if c.kind == colMissing {
				col.floatTyped = true
				continue
			}
			if c.kind == colNumber && math.IsInf(c.num, 0) {
				return nil, errcode.New(errcode.InputInvalid, "column %s, row %d: the value is not finite", pyfmt.Quote(name), i).
					With("key", "data").With("column", name).With("row", i)
			}
			if col.kind == colMissing {
				col.kind = c.kind
			} else if c.kind != col.kind {
				return nil, errcode.New(errcode.InputInvalid, "column %s mixes %s and %s (row %d); a column holds numbers, strings or booleans",
					pyfmt.Quote(name), col.kind, c.kind, i).
					With("key", "data").With("column", name).With("row", i)
			}
			if c.kind == colNumber && !c.integer {
				col.floatTyped = true
			}
			col.cells[i] = c
		}
	}
	for k, name := range names {
		if !present[k] {
			return nil, errcode.New(errcode.InputInvalid, "the formula uses %s, which is not a column of data", pyfmt.Quote(name)).
				With("key", "data").With("column", name)
		}
	}
	return cols, nil
}

// level is one category of a categorical factor.
type level struct {
	key  string // identity: equal values have equal keys (1 and 1.0 included)
	name string // how patsy writes it in a column name
	num  float64
	str  string
	b    bool
}

func levelKey(c cell) string {
	switch c.kind {
	case colNumber:
		if c.num == 0 {
			return "n0" // -0 and 0 are one level
		}
		return "n" + strconv.FormatFloat(c.num, 'g', -1, 64)
	case colBool:
		if c.b {
			return "bTrue"
		}
		return "bFalse"
	}
	return "s" + c.str
}

// levels returns the sorted distinct non-missing values of col, patsy's
// sniffed categories: numbers in numeric order, strings in code-point
// order, False before True.
func levels(col *column) []level {
	seen := map[string]bool{}
	var out []level
	for _, c := range col.cells {
		if c.kind == colMissing {
			continue
		}
		k := levelKey(c)
		if seen[k] {
			continue
		}
		seen[k] = true
		lv := level{key: k, num: c.num, str: c.str, b: c.b}
		switch c.kind {
		case colNumber:
			if col.floatTyped {
				lv.name = pyfmt.Repr(c.num)
			} else {
				lv.name = c.intText
			}
		case colBool:
			lv.name = "False"
			if c.b {
				lv.name = "True"
			}
		default:
			lv.name = c.str
		}
		out = append(out, lv)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch col.kind {
		case colNumber:
			return a.num < b.num
		case colBool:
			return !a.b && b.b
		}
		return a.str < b.str
	})
	return out
}
