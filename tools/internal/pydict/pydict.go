// Package pydict provides Dict, a JSON object whose keys keep the order
// they were first set in, as the dicts the seed's Python returned do.
package pydict

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/toolq/toolq/tools/tool"
)

// Item is one key and its value.
//
// It is an alias of an unnamed struct type so that a Dict can be written
// as a literal with positional members, Dict{{"mark", m}, {"name", n}}: vet's
// composites check asks for field names in literals of named struct types
// from other packages, which would double the length of the many literals
// the charts are built from. The shape of an Item will not change.
type Item = struct {
	Key   string
	Value any
}

// Dict is a JSON object whose keys keep their order. Set follows Python's
// dict: a new key goes last, and setting a key again replaces its value in
// its first position. A literal or append adds members as given, without
// that check.
//
// The zero value (nil) is an empty Dict and encodes as {}. Lookups scan the
// members, which suits the small objects results are made of (a few
// hundred keys at the most).
//
// A Dict writes NaN and ±Inf inside its values as null itself, but
// tool.Marshal's fallback for such values elsewhere in a result rebuilds
// the result by reflection and does not know Dict: store floats that may
// not be finite as pyfmt.Float, so that a result never needs that fallback.
type Dict []Item

// Set stores v under key.
func (d *Dict) Set(key string, v any) {
	for i := range *d {
		if (*d)[i].Key == key {
			(*d)[i].Value = v
			return
		}
	}
	*d = append(*d, Item{key, v})
}

// Get returns the value under key.
func (d Dict) Get(key string) (any, bool) {
	for _, it := range d {
		if it.Key == key {
			return it.Value, true
		}
	}
	return nil, false
}

// Update sets every member of u, in u's order (Python's dict.update).
func (d *Dict) Update(u Dict) {
	for _, it := range u {
		d.Set(it.Key, it.Value)
	}
}

// MarshalJSON implements json.Marshaler. Keys are written as json.Marshal
// writes strings (<, > and & as \u003c, \u003e and \u0026), values as
// tool.Marshal writes results: NaN and ±Inf as null, <, > and & as they
// are. A value that must be written some other way says so itself, as
// pyfmt.Float does for Python's float text and HTMLEscaped for escaping.
func (d Dict) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, it := range d {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(it.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := tool.Marshal(it.Value)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", it.Key, err)
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// HTMLEscaped is a value written as json.Marshal writes it: with <, > and &
// escaped as \u003c, \u003e and \u0026 everywhere inside it, the keys and
// values of the Dicts it holds included.
//
// tool.Marshal leaves those characters as written, as the seed's json.dumps
// did. analyze_experiment, doe_knowledge, recommend_strategy, visualize_doe
// and extract_batch_features escaped them in their ordered objects, each
// of which encoded its values with json.Marshal; they wrap those values in
// HTMLEscaped so that their output stays as it was.
type HTMLEscaped struct {
	V any
}

// MarshalJSON implements json.Marshaler.
func (h HTMLEscaped) MarshalJSON() ([]byte, error) {
	return json.Marshal(h.V)
}
