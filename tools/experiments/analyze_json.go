package experiments

import (
	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// aeNamedFloats returns the object {names[i]: vals[i]} of Python floats,
// in the order of names (later duplicates replacing earlier values, as in
// a dict comprehension).
func aeNamedFloats(names []string, vals []float64) pydict.Dict {
	var m pydict.Dict
	for i, n := range names {
		m.Set(n, pyfmt.Float(vals[i]))
	}
	return m
}

// aeError is the seed's in-result error object, {"error": message}: an
// analysis or a method that could not be carried out on otherwise valid
// input, reported inside a successful result.
type aeError struct {
	Error string `json:"error"`
}
