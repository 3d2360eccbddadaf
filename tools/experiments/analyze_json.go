package experiments

import (
	"bytes"
	"encoding/json"

	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// aeFloatMap is a JSON object of numbers whose keys keep their insertion
// order, like the Python dicts the seed returns ({"A": 5.25, "B": -3.75}).
// Setting a key again replaces its value but keeps its place, as a Python
// dict does. Numbers are written the way Python's json module writes floats
// (NaN and ±Inf as null). analyze_experiment and optimize_responses share it.
type aeFloatMap struct {
	keys []string
	vals []float64
	pos  map[string]int
}

// set stores v under key.
func (m *aeFloatMap) set(key string, v float64) {
	if i, ok := m.pos[key]; ok {
		m.vals[i] = v
		return
	}
	if m.pos == nil {
		m.pos = make(map[string]int)
	}
	m.pos[key] = len(m.keys)
	m.keys = append(m.keys, key)
	m.vals = append(m.vals, v)
}

// MarshalJSON implements json.Marshaler.
func (m aeFloatMap) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		v, _ := pyfmt.Float(m.vals[i]).MarshalJSON() // never fails
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// aeNamedFloats returns the map {names[i]: vals[i]} (later duplicates
// replacing earlier values, as in a dict comprehension).
func aeNamedFloats(names []string, vals []float64) aeFloatMap {
	var m aeFloatMap
	for i, n := range names {
		m.set(n, vals[i])
	}
	return m
}

// aeError is the seed's in-result error object, {"error": message}: an
// analysis or a method that could not be carried out on otherwise valid
// input, reported inside a successful result.
type aeError struct {
	Error string `json:"error"`
}
