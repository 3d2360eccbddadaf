package tools

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// FieldError is one schema violation. Type is a stable identifier that
// callers may branch on — the pydantic error types the seed's later versions
// report: extra_forbidden, missing, int_type, float_type, greater_than_equal,
// less_than_equal, too_short, too_long, enum, … Loc is the path to the
// offending value (names and array indices); Msg is for humans.
type FieldError struct {
	Type string `json:"type"`
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
}

// schemaError turns a validation failure into input_invalid with details
// {"tool_name", "errors": [FieldError…]}.
//
// The validator reports the first violation as a chain of "validating
// <schema path>" prefixes ending in "<keyword>: <detail>". The keyword and
// the schema path are all that is taken from it: the message and the
// location are rebuilt from the schema document and the input, so that they
// name the input's own keys and indices and the schema's own bounds.
func schemaError(toolName string, schema map[string]any, input any, verr error) error {
	path, keyword, detail := splitValidationError(verr.Error())
	loc, inst, sub := locate(schema, input, path)
	fes := describe(keyword, detail, loc, inst, sub)
	parts := make([]string, len(fes))
	for i, fe := range fes {
		parts[i] = fmt.Sprintf("%s: %s [type=%s]", locString(fe.Loc), fe.Msg, fe.Type)
	}
	return errcode.New(errcode.InputInvalid, "Input to tool %s failed validation: %s",
		pyfmt.Quote(toolName), strings.Join(parts, "; ")).
		With("tool_name", toolName).With("errors", fes)
}

// splitValidationError parses "validating root: validating /properties/x:
// minimum: …" into the innermost schema path ("/properties/x"), the keyword
// ("minimum") and the detail.
func splitValidationError(msg string) (path []string, keyword, detail string) {
	rest := msg
	for {
		p, ok := strings.CutPrefix(rest, "validating ")
		if !ok {
			break
		}
		i := strings.Index(p, ": ")
		if i < 0 {
			break
		}
		if ptr := p[:i]; strings.HasPrefix(ptr, "/") {
			path = strings.Split(strings.TrimPrefix(ptr, "/"), "/")
		}
		rest = p[i+2:]
	}
	if strings.HasPrefix(rest, "unexpected additional properties") {
		return path, "additionalProperties", rest
	}
	keyword, detail, _ = strings.Cut(rest, ": ")
	return path, keyword, detail
}

// locate follows a schema path through the schema and the input at once. It
// returns the input location, the input value there and the sub-schema.
// Where the path enters "items" of an array it finds the first element that
// fails the items schema, since the validator does not say which.
func locate(schema map[string]any, input any, path []string) (loc []any, inst any, sub map[string]any) {
	loc, inst, sub = []any{}, input, schema
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case "properties":
			if i+1 >= len(path) {
				return
			}
			name := unescapePointer(path[i+1])
			i++
			props, _ := sub["properties"].(map[string]any)
			next, _ := props[name].(map[string]any)
			obj, _ := inst.(map[string]any)
			loc, inst, sub = append(loc, name), obj[name], next
		case "items":
			items, _ := sub["items"].(map[string]any)
			arr, _ := inst.([]any)
			idx := firstFailing(items, arr)
			if idx < 0 {
				return loc, inst, items
			}
			loc, inst, sub = append(loc, idx), arr[idx], items
		default:
			// oneOf/anyOf/allOf/$defs…: stop at the deepest place known.
			return
		}
		if sub == nil {
			return
		}
	}
	return
}

// firstFailing returns the index of the first element of arr that does not
// validate against items, or -1.
func firstFailing(items map[string]any, arr []any) int {
	if items == nil {
		return -1
	}
	b, err := json.Marshal(items)
	if err != nil {
		return -1
	}
	var s jsonschema.Schema
	if json.Unmarshal(b, &s) != nil {
		return -1
	}
	rs, err := s.Resolve(nil)
	if err != nil {
		return -1
	}
	for i, v := range arr {
		if rs.Validate(v) != nil {
			return i
		}
	}
	return -1
}

func unescapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// describe builds the errors for one violated keyword at loc.
func describe(keyword, detail string, loc []any, inst any, sub map[string]any) []FieldError {
	at := func(extra ...any) []any { return append(append([]any{}, loc...), extra...) }
	one := func(typ, msg string) []FieldError { return []FieldError{{typ, at(), msg}} }
	switch keyword {
	case "additionalProperties":
		obj, _ := inst.(map[string]any)
		props, _ := sub["properties"].(map[string]any)
		var out []FieldError
		for _, k := range sortedKeys(obj) {
			if _, ok := props[k]; !ok {
				out = append(out, FieldError{"extra_forbidden", at(clip(k)), fmt.Sprintf("Extra inputs are not permitted (unknown parameter %s)", pyfmt.Quote(clip(k)))})
			}
		}
		if len(out) > 0 {
			return out
		}
	case "required":
		obj, _ := inst.(map[string]any)
		req, _ := sub["required"].([]any)
		var out []FieldError
		for _, r := range req {
			name, _ := r.(string)
			if _, ok := obj[name]; !ok {
				out = append(out, FieldError{"missing", at(name), "Field required"})
			}
		}
		if len(out) > 0 {
			return out
		}
	case "type":
		return []FieldError{typeError(at(), sub["type"], inst)}
	case "minimum":
		return one("greater_than_equal", "Input should be greater than or equal to "+num(sub["minimum"]))
	case "maximum":
		return one("less_than_equal", "Input should be less than or equal to "+num(sub["maximum"]))
	case "exclusiveMinimum":
		return one("greater_than", "Input should be greater than "+num(sub["exclusiveMinimum"]))
	case "exclusiveMaximum":
		return one("less_than", "Input should be less than "+num(sub["exclusiveMaximum"]))
	case "minItems":
		arr, _ := inst.([]any)
		return one("too_short", fmt.Sprintf("List should have at least %s items after validation, not %d", num(sub["minItems"]), len(arr)))
	case "maxItems":
		arr, _ := inst.([]any)
		return one("too_long", fmt.Sprintf("List should have at most %s items after validation, not %d", num(sub["maxItems"]), len(arr)))
	case "minLength":
		return one("string_too_short", "String should have at least "+num(sub["minLength"])+" characters")
	case "maxLength":
		return one("string_too_long", "String should have at most "+num(sub["maxLength"])+" characters")
	case "pattern":
		p, _ := sub["pattern"].(string)
		return one("string_pattern_mismatch", "String should match pattern "+pyfmt.Quote(p))
	case "enum":
		vals, _ := sub["enum"].([]any)
		want := make([]string, len(vals))
		for i, v := range vals {
			want[i] = pyRepr(v)
		}
		return one("enum", "Input should be "+joinOr(want))
	case "const":
		return one("literal_error", "Input should be "+pyRepr(sub["const"]))
	case "oneOf", "anyOf":
		return one("union", "Input matches none of the allowed forms ("+detail+")")
	}
	return one("invalid", strings.TrimSpace(keyword+": "+detail))
}

var typeNames = map[string][2]string{
	"integer": {"int_type", "a valid integer"},
	"number":  {"float_type", "a valid number"},
	"string":  {"string_type", "a valid string"},
	"boolean": {"bool_type", "a valid boolean"},
	"array":   {"list_type", "a valid list"},
	"object":  {"dict_type", "a valid dictionary"},
	"null":    {"none_required", "null"},
}

func typeError(loc []any, want any, got any) FieldError {
	var types []string
	switch w := want.(type) {
	case string:
		types = []string{w}
	case []any:
		for _, x := range w {
			if s, ok := x.(string); ok && s != "null" {
				types = append(types, s)
			}
		}
	}
	typ := "type_error"
	descs := make([]string, 0, len(types))
	for i, t := range types {
		n, ok := typeNames[t]
		if !ok {
			n = [2]string{"type_error", "of type " + t}
		}
		if i == 0 {
			typ = n[0]
		}
		descs = append(descs, n[1])
	}
	return FieldError{typ, loc, fmt.Sprintf("Input should be %s, got %s", joinOr(descs), jsonTypeOf(got))}
}

func jsonTypeOf(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case float64:
		if t == math.Trunc(t) && !math.IsInf(t, 0) {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

func num(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// clip shortens a caller's string before an error message repeats it, so
// that a 200 kB key cannot make a 200 kB error.
func clip(s string) string {
	const max = 100
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + fmt.Sprintf("…(%d more characters)", len(r)-max)
}

func locString(loc []any) string {
	if len(loc) == 0 {
		return "input"
	}
	parts := make([]string, len(loc))
	for i, p := range loc {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, ".")
}

func pyRepr(v any) string {
	switch t := v.(type) {
	case string:
		return pyfmt.Quote(t)
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case float64:
		return num(t)
	}
	return fmt.Sprint(v)
}

func joinOr(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}
