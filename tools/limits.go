package tools

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// Limits bounds the size of a tool input. They are checked before the schema,
// so an oversized payload is reported as input_too_large even when it is
// also malformed, and before anything is enqueued. The zero value of each
// field means its default.
type Limits struct {
	// MaxCells caps the number of numeric leaves (booleans included).
	// Defaults to 1,000,000.
	MaxCells int
	// MaxString caps the length of any string value, in code points (object
	// keys are not counted). Defaults to 100,000.
	MaxString int
	// MaxDepth caps nesting: the input object is depth 0 and its values depth
	// 1; any value deeper than MaxDepth is rejected. Defaults to 10.
	MaxDepth int
	// ScalarCaps overrides or extends DefaultScalarCaps for top-level keys.
	ScalarCaps []ScalarCap
}

// Default limits (DESIGN.md defaults; the seed's values).
const (
	DefaultMaxCells  = 1_000_000
	DefaultMaxString = 100_000
	DefaultMaxDepth  = 10
)

// ScalarCap bounds a top-level numeric parameter. Values equal to the limit
// pass; booleans, strings and nested keys are never capped.
type ScalarCap struct {
	Key   string
	Limit int64
}

// DefaultScalarCaps are the seed's twelve caps at their later values
// (seed-spec §1.2), in the seed's order, which decides which of two violations
// is reported.
var DefaultScalarCaps = []ScalarCap{
	{"n_components", 50},
	{"max_outliers_to_detect", 20},
	{"n_iter", 10_000},
	{"max_iter", 10_000},
	{"n_boot", 1_000},
	{"n_permutations", 1_000},
	{"budget", 10_000},
	{"n_steps", 100},
	{"n_additional_runs", 500},
	{"n_center_points", 50},
	{"n_replicates", 50},
	{"n_factors", 15},
}

func (l *Limits) withDefaults() Limits {
	out := Limits{MaxCells: DefaultMaxCells, MaxString: DefaultMaxString, MaxDepth: DefaultMaxDepth}
	if l != nil {
		if l.MaxCells > 0 {
			out.MaxCells = l.MaxCells
		}
		if l.MaxString > 0 {
			out.MaxString = l.MaxString
		}
		if l.MaxDepth > 0 {
			out.MaxDepth = l.MaxDepth
		}
		out.ScalarCaps = l.ScalarCaps
	}
	return out
}

func (l Limits) caps() []ScalarCap {
	if len(l.ScalarCaps) == 0 {
		return DefaultScalarCaps
	}
	caps := append([]ScalarCap(nil), DefaultScalarCaps...)
	for _, o := range l.ScalarCaps {
		replaced := false
		for i := range caps {
			if caps[i].Key == o.Key {
				caps[i].Limit, replaced = o.Limit, true
			}
		}
		if !replaced {
			caps = append(caps, o)
		}
	}
	return caps
}

// CheckSize applies the seed's validate_input to a parsed input (as decoded
// with json.Decoder.UseNumber): the object check, the scalar caps, string
// lengths and depth, then the numeric cell count. The first failure is
// returned, with the seed's message and details.
func CheckSize(v any, lim *Limits) error {
	l := lim.withDefaults()
	obj, ok := v.(map[string]any)
	if !ok {
		return errcode.New(errcode.InputInvalid, "Tool input must be a dict, got %s", pyType(v))
	}
	for _, c := range l.caps() {
		raw, ok := obj[c.Key].(json.Number)
		if !ok {
			continue
		}
		observed, over := exceeds(raw, c.Limit)
		if over {
			return errcode.New(errcode.InputTooLarge, "Parameter %s=%s exceeds limit of %d",
				pyfmt.Quote(c.Key), pyNumber(raw), c.Limit).
				With("key", c.Key).With("limit", c.Limit).With("observed", observed)
		}
	}
	if err := checkStrings(v, 0, l); err != nil {
		return err
	}
	if cells := countCells(v); cells > l.MaxCells {
		return errcode.New(errcode.InputTooLarge, "Input contains %d numeric cells; limit is %d", cells, l.MaxCells).
			With("limit", l.MaxCells).With("observed", cells)
	}
	return nil
}

// checkStrings walks v depth first (object keys in sorted order, so the
// report is deterministic) and fails on the first value deeper than the limit
// or the first string longer than the limit.
func checkStrings(v any, depth int, l Limits) error {
	if depth > l.MaxDepth {
		return errcode.New(errcode.InputTooLarge, "Input nesting depth exceeds limit of %d", l.MaxDepth).
			With("limit", l.MaxDepth)
	}
	switch t := v.(type) {
	case string:
		if n := utf8.RuneCountInString(t); n > l.MaxString {
			return errcode.New(errcode.InputTooLarge, "String length %d exceeds limit of %d", n, l.MaxString).
				With("limit", l.MaxString).With("observed", n)
		}
	case []any:
		for _, e := range t {
			if err := checkStrings(e, depth+1, l); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(t) {
			if err := checkStrings(t[k], depth+1, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// countCells counts numeric leaves; booleans count as cells, as in the seed.
func countCells(v any) int {
	switch t := v.(type) {
	case json.Number, float64, bool:
		return 1
	case []any:
		n := 0
		for _, e := range t {
			n += countCells(e)
		}
		return n
	case map[string]any:
		n := 0
		for _, e := range t {
			n += countCells(e)
		}
		return n
	}
	return 0
}

// exceeds reports whether the number is above limit, and returns it as the
// seed would report it: an int for integer literals, a float otherwise.
func exceeds(n json.Number, limit int64) (observed any, over bool) {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, i > limit
		}
		f, _ := strconv.ParseFloat(s, 64) // an integer beyond int64 is certainly over
		return f, f > float64(limit)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s, false
	}
	return f, f > float64(limit)
}

// pyNumber formats a JSON number as Python's str() would after json.loads:
// integers as written, floats in repr form (10.0, 1e-05, 1e+16).
func pyNumber(n json.Number) string {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil { // out of range: ParseFloat's ±Inf comes with an error
		return s
	}
	return pyfmt.Repr(f)
}

// pyType names a JSON value's type the way the seed's messages do.
func pyType(v any) string {
	switch t := v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	case json.Number:
		if strings.ContainsAny(t.String(), ".eE") {
			return "float"
		}
		return "int"
	case float64:
		return "float"
	}
	return "object"
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
