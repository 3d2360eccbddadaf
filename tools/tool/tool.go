// Package tool holds what every tool family needs to declare a tool: the
// definition, input decoding with the registry's null and missing-value
// rules, and the tool_error constructor.
//
// Families (univariate, multivariate, …) import this package and export their
// definitions; the tools package assembles them into the registry. Keeping the
// definition type here, below both, is what lets the registry import the
// families without an import cycle.
package tool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/toolq/toolq/errcode"
)

// Def declares one tool.
type Def struct {
	// Name is the unique snake_case name callers use.
	Name string
	// Category groups tools in listings (univariate, multivariate, diagnostic, …).
	Category string
	// Description is the text shown to callers and LLM agents. It says what
	// the tool computes and, where the port deliberately differs from the
	// seed, how.
	Description string
	// Schema is the JSON Schema of the input object, served verbatim.
	Schema []byte
	// Check, if set, runs after the schema has accepted the input and before
	// anything is enqueued. It enforces what a schema cannot say (matrix
	// shapes, caps that depend on two fields) and returns *errcode.Error
	// values with code input_invalid or input_too_large.
	Check func(input json.RawMessage) error
	// Example is a small valid input (JSON). The end-to-end tests run every
	// tool on its example through a real worker.
	Example string
	// Run computes the result. It returns a JSON-encodable value (maps,
	// slices, numbers; NaN and ±Inf become null) or an error. Errors that are
	// not *errcode.Error are reported as tool_error. Run may assume that the
	// input passed the schema and Check.
	Run func(ctx context.Context, input json.RawMessage) (any, error)
}

// Errorf returns a tool_error: the tool understood the input but cannot
// compute a result from it (a singular matrix, too few points, …).
func Errorf(format string, args ...any) *errcode.Error {
	return errcode.New(errcode.ToolError, format, args...)
}

// Invalidf returns an input_invalid error, for use in Def.Check.
func Invalidf(format string, args ...any) *errcode.Error {
	return errcode.New(errcode.InputInvalid, format, args...)
}

// Decode unmarshals a validated input object into dst, a pointer to a struct
// whose fields already hold the tool's defaults. A JSON null leaves a field at
// its default, which is the registry's rule for optional parameters. Unknown
// fields are rejected as a second line of defence behind the schema.
func Decode(input json.RawMessage, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(input))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return errcode.Wrap(errcode.InputInvalid, err, "cannot decode input: %v", err)
	}
	return nil
}

// Float is a number that may be missing: JSON null decodes to NaN, which the
// numerics treat as a missing value (the seed's np.asarray(..., float) rule).
type Float float64

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// Vector is a list of numbers in which null means missing.
type Vector []Float

// Values returns the vector as float64s, NaN where a value is missing.
func (v Vector) Values() []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// Matrix is a list of rows of numbers in which null means missing.
type Matrix []Vector

// Dims returns the row count and the length of the first row.
func (m Matrix) Dims() (rows, cols int) {
	if len(m) == 0 {
		return 0, 0
	}
	return len(m), len(m[0])
}

// Rows returns the matrix as float64 rows.
func (m Matrix) Rows() [][]float64 {
	out := make([][]float64, len(m))
	for i, r := range m {
		out[i] = r.Values()
	}
	return out
}

// Rectangular returns an input_invalid error naming key when the rows do not
// all have the same, non-zero length.
func (m Matrix) Rectangular(key string) error {
	if len(m) == 0 {
		return Invalidf("%s must have at least one row", key)
	}
	k := len(m[0])
	if k == 0 {
		return Invalidf("%s must have at least one column", key)
	}
	for i, r := range m {
		if len(r) != k {
			return Invalidf("%s is ragged: row 0 has %d values, row %d has %d", key, k, i, len(r)).
				With("key", key).With("row", i)
		}
	}
	return nil
}

// Marshal encodes a tool result as JSON, writing NaN and ±Inf as null (the
// seed's clean() rule). Results without such values take the fast path.
// Unlike json.Marshal it leaves <, > and & as they are: results are data
// for programs, not HTML, and the seed's json.dumps wrote them plainly.
func Marshal(v any) ([]byte, error) {
	b, err := encode(v)
	var uv *json.UnsupportedValueError
	if err == nil || !errors.As(err, &uv) {
		return b, err
	}
	return encode(clean(reflect.ValueOf(v)))
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// clean rebuilds v as maps, slices and scalars with non-finite floats
// replaced by nil. It is only used when v holds such floats.
func clean(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return clean(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Interface()
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = clean(v.Index(i))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			out[fmt.Sprint(it.Key().Interface())] = clean(it.Value())
		}
		return out
	case reflect.Struct:
		out := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, omitempty := jsonName(f)
			if name == "-" {
				continue
			}
			fv := v.Field(i)
			if omitempty && fv.IsZero() {
				continue
			}
			out[name] = clean(fv)
		}
		return out
	default:
		return v.Interface()
	}
}

func jsonName(f reflect.StructField) (name string, omitempty bool) {
	tag := f.Tag.Get("json")
	if tag == "" {
		return f.Name, false
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = f.Name
	}
	return name, strings.Contains(opts, "omitempty")
}
