package tools

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/toolq/toolq/errcode"
)

var printer = message.NewPrinter(language.English)

// FieldError is one schema violation. Type is a stable identifier (the
// pydantic error types the seed's later versions report: extra_forbidden,
// missing, greater_than_equal, too_short, …) that callers may branch on; Loc
// is the path to the offending value; Msg is for humans.
type FieldError struct {
	Type string `json:"type"`
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
}

// schemaError turns a jsonschema validation failure into input_invalid with
// details {"tool_name", "errors": [FieldError…]}.
func schemaError(toolName string, err error) error {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return errcode.Wrap(errcode.InputInvalid, err, "Input to tool %s failed validation: %v", pyQuote(toolName), err)
	}
	var fes []FieldError
	collect(ve, &fes)
	if len(fes) == 0 {
		fes = append(fes, FieldError{Type: "invalid", Loc: []any{}, Msg: ve.Error()})
	}
	parts := make([]string, len(fes))
	for i, fe := range fes {
		parts[i] = fmt.Sprintf("%s: %s [type=%s]", locString(fe.Loc), fe.Msg, fe.Type)
	}
	return errcode.New(errcode.InputInvalid, "Input to tool %s failed validation: %s",
		pyQuote(toolName), strings.Join(parts, "; ")).
		With("tool_name", toolName).With("errors", fes)
}

func collect(ve *jsonschema.ValidationError, out *[]FieldError) {
	switch ve.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		for _, c := range ve.Causes {
			collect(c, out)
		}
		return
	case *kind.AnyOf, *kind.OneOf:
		if len(ve.Causes) > 0 {
			// Report the branch that got furthest: the one with the fewest
			// errors (for "a number or a list" this names what was wrong).
			var best []FieldError
			for _, c := range ve.Causes {
				var fes []FieldError
				collect(c, &fes)
				if best == nil || len(fes) < len(best) {
					best = fes
				}
			}
			*out = append(*out, best...)
			return
		}
	}
	loc := make([]any, 0, len(ve.InstanceLocation))
	for _, p := range ve.InstanceLocation {
		if i, err := strconv.Atoi(p); err == nil {
			loc = append(loc, i)
		} else {
			loc = append(loc, p)
		}
	}
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			*out = append(*out, FieldError{"extra_forbidden", appendLoc(loc, p), fmt.Sprintf("Extra inputs are not permitted (unknown parameter %s)", pyQuote(p))})
		}
	case *kind.Required:
		for _, p := range k.Missing {
			*out = append(*out, FieldError{"missing", appendLoc(loc, p), "Field required"})
		}
	case *kind.Type:
		*out = append(*out, typeError(loc, k))
	case *kind.Minimum:
		*out = append(*out, FieldError{"greater_than_equal", loc, "Input should be greater than or equal to " + ratString(k.Want)})
	case *kind.Maximum:
		*out = append(*out, FieldError{"less_than_equal", loc, "Input should be less than or equal to " + ratString(k.Want)})
	case *kind.ExclusiveMinimum:
		*out = append(*out, FieldError{"greater_than", loc, "Input should be greater than " + ratString(k.Want)})
	case *kind.ExclusiveMaximum:
		*out = append(*out, FieldError{"less_than", loc, "Input should be less than " + ratString(k.Want)})
	case *kind.MinItems:
		*out = append(*out, FieldError{"too_short", loc, fmt.Sprintf("List should have at least %d items after validation, not %d", k.Want, k.Got)})
	case *kind.MaxItems:
		*out = append(*out, FieldError{"too_long", loc, fmt.Sprintf("List should have at most %d items after validation, not %d", k.Want, k.Got)})
	case *kind.MinLength:
		*out = append(*out, FieldError{"string_too_short", loc, fmt.Sprintf("String should have at least %d characters", k.Want)})
	case *kind.MaxLength:
		*out = append(*out, FieldError{"string_too_long", loc, fmt.Sprintf("String should have at most %d characters", k.Want)})
	case *kind.Pattern:
		*out = append(*out, FieldError{"string_pattern_mismatch", loc, fmt.Sprintf("String should match pattern %s", pyQuote(k.Want))})
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = pyRepr(w)
		}
		*out = append(*out, FieldError{"enum", loc, "Input should be " + joinOr(want)})
	case *kind.Const:
		*out = append(*out, FieldError{"literal_error", loc, "Input should be " + pyRepr(k.Want)})
	default:
		*out = append(*out, FieldError{"invalid", loc, ve.ErrorKind.LocalizedString(printer)})
	}
}

func typeError(loc []any, k *kind.Type) FieldError {
	names := map[string][2]string{
		"integer": {"int_type", "a valid integer"},
		"number":  {"float_type", "a valid number"},
		"string":  {"string_type", "a valid string"},
		"boolean": {"bool_type", "a valid boolean"},
		"array":   {"list_type", "a valid list"},
		"object":  {"dict_type", "a valid dictionary"},
		"null":    {"none_required", "None"},
	}
	var descs []string
	typ := "type_error"
	for i, w := range k.Want {
		n, ok := names[w]
		if !ok {
			n = [2]string{"type_error", "of type " + w}
		}
		if i == 0 {
			typ = n[0]
		}
		descs = append(descs, n[1])
	}
	return FieldError{typ, loc, fmt.Sprintf("Input should be %s, got %s", joinOr(descs), k.Got)}
}

func appendLoc(loc []any, p string) []any {
	return append(append([]any{}, loc...), p)
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

func ratString(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func pyRepr(v any) string {
	switch t := v.(type) {
	case string:
		return pyQuote(t)
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
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
