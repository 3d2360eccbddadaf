package formula

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/toolq/toolq/errcode"
)

// Default caps, the seed's later settings (seed-spec §1.6): max_formula_chars,
// max_formula_terms (which the seed counted as model-matrix columns,
// intercept included) and max_matrix_rows.
const (
	// DefaultMaxChars caps the length of a formula, in characters.
	DefaultMaxChars = 4096
	// DefaultMaxTerms caps the number of right-hand-side terms after
	// expansion, the intercept included.
	DefaultMaxTerms = 100
	// DefaultMaxColumns caps the number of model-matrix columns, the
	// intercept included (a categorical term has a column per non-reference
	// level).
	DefaultMaxColumns = 100
	// DefaultMaxRows caps the number of data rows a model matrix is built
	// from.
	DefaultMaxRows = 10_000
)

// intermediateTermCap bounds every list of terms built while a formula is
// expanded, so that (A+B+…+Z)**26 is refused as soon as it grows past this
// instead of after 2^26 terms have been made. A subtraction can shrink a
// large expansion below the final cap again; the seed would accept such a
// formula, this refuses it when an intermediate list exceeds the bound.
const intermediateTermCap = 1000

// Limits bounds what Parse and Build accept. The zero value of each field
// means its default; a nil *Limits means all defaults.
type Limits struct {
	// MaxChars caps the formula length in characters (Unicode code points).
	// Defaults to DefaultMaxChars (4,096).
	MaxChars int
	// MaxTerms caps the expanded right-hand-side terms, intercept included.
	// Defaults to DefaultMaxTerms (100).
	MaxTerms int
	// MaxColumns caps the model-matrix columns, intercept included.
	// Defaults to DefaultMaxColumns (100).
	MaxColumns int
	// MaxRows caps the data rows given to Build (not those given to
	// Design.Matrix). Defaults to DefaultMaxRows (10,000).
	MaxRows int
}

func (l *Limits) withDefaults() Limits {
	out := Limits{MaxChars: DefaultMaxChars, MaxTerms: DefaultMaxTerms, MaxColumns: DefaultMaxColumns, MaxRows: DefaultMaxRows}
	if l == nil {
		return out
	}
	if l.MaxChars > 0 {
		out.MaxChars = l.MaxChars
	}
	if l.MaxTerms > 0 {
		out.MaxTerms = l.MaxTerms
	}
	if l.MaxColumns > 0 {
		out.MaxColumns = l.MaxColumns
	}
	if l.MaxRows > 0 {
		out.MaxRows = l.MaxRows
	}
	return out
}

// FactorKind says how a factor turns a data column into model-matrix
// columns.
type FactorKind uint8

const (
	// Variable is a data column used as it is: one numeric column, or a
	// categorical factor when the column holds strings or booleans.
	Variable FactorKind = iota
	// Power is I(x ** k): the numeric column raised to a positive integer
	// power.
	Power
	// Categorical is C(x): the column treated as categorical whatever its
	// values (numbers included), with treatment coding.
	Categorical
)

// Factor is one variable of a term: x, I(x ** k) or C(x). Factors are
// comparable; two factors are the same exactly when they are equal.
type Factor struct {
	Kind FactorKind
	// Var is the data column the factor reads.
	Var string
	// Exponent is k for a Power factor and 0 otherwise.
	Exponent int
}

// Name returns the factor as patsy names it, which is also how it is written
// in a formula: "x", "I(x ** 2)", "C(x)", with a name that is not an
// identifier quoted as Q("a b").
func (f Factor) Name() string {
	v := Quote(f.Var)
	switch f.Kind {
	case Power:
		return "I(" + v + " ** " + strconv.Itoa(f.Exponent) + ")"
	case Categorical:
		return "C(" + v + ")"
	}
	return v
}

// Term is a product of distinct factors, in the order they were written
// (which decides its name and the order of its column name pieces). The
// empty term is the intercept.
type Term []Factor

// Name returns the term's patsy name: its factor names joined by ":", or
// "Intercept" for the empty term.
func (t Term) Name() string {
	if len(t) == 0 {
		return "Intercept"
	}
	parts := make([]string, len(t))
	for i, f := range t {
		parts[i] = f.Name()
	}
	return strings.Join(parts, ":")
}

// Degree returns the number of factors: 0 for the intercept, 1 for a main
// effect (I(x ** 2) included), 2 for a two-factor interaction and so on.
func (t Term) Degree() int { return len(t) }

// Has reports whether the term contains factor f.
func (t Term) Has(f Factor) bool {
	for _, g := range t {
		if g == f {
			return true
		}
	}
	return false
}

// Contains reports whether every factor of u is a factor of t (so t
// contains itself, and every term contains the intercept).
func (t Term) Contains(u Term) bool {
	for _, f := range u {
		if !t.Has(f) {
			return false
		}
	}
	return true
}

// Same reports whether t and u have the same factors, in any order (A:B is
// the same term as B:A).
func (t Term) Same(u Term) bool { return len(t) == len(u) && t.Contains(u) }

// Formula is a parsed and expanded model formula.
type Formula struct {
	// Response is the left-hand-side variable, "" when the formula has no
	// "~" or nothing before it.
	Response string
	// Intercept reports whether the model has an intercept column.
	Intercept bool
	// Terms are the right-hand-side terms without the intercept, in patsy's
	// expansion order (the order of ModelDesc.rhs_termlist). The model
	// matrix may order them differently when categorical factors are
	// involved; see Design.Terms.
	Terms []Term
}

// NumTerms returns the number of right-hand-side terms, the intercept
// included: the count the MaxTerms cap applies to.
func (f *Formula) NumTerms() int {
	if f.Intercept {
		return len(f.Terms) + 1
	}
	return len(f.Terms)
}

// TermNames returns the names of the right-hand-side terms, "Intercept"
// first when the model has one.
func (f *Formula) TermNames() []string {
	out := make([]string, 0, f.NumTerms())
	if f.Intercept {
		out = append(out, "Intercept")
	}
	for _, t := range f.Terms {
		out = append(out, t.Name())
	}
	return out
}

// Variables returns the data columns the formula reads: the response first
// (when there is one), then each factor's column in order of first use.
func (f *Formula) Variables() []string {
	var out []string
	seen := map[string]bool{}
	add := func(v string) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	if f.Response != "" {
		add(f.Response)
	}
	for _, t := range f.Terms {
		for _, fac := range t {
			add(fac.Var)
		}
	}
	return out
}

// String returns the formula in canonical form: the response, "~", then
// the expanded terms joined by " + ", with " - 1" when the model has no
// intercept ("y ~ A + B + A:B", "y ~ A - 1", "y ~ 1" for an intercept-only
// model, "y ~ 0" for an empty one). Parse(f.String()) gives back the same
// formula.
func (f *Formula) String() string {
	var b strings.Builder
	if f.Response != "" {
		b.WriteString(Quote(f.Response))
		b.WriteByte(' ')
	}
	b.WriteString("~ ")
	switch {
	case len(f.Terms) == 0 && f.Intercept:
		b.WriteString("1")
	case len(f.Terms) == 0:
		b.WriteString("0")
	default:
		for i, t := range f.Terms {
			if i > 0 {
				b.WriteString(" + ")
			}
			b.WriteString(t.Name())
		}
		if !f.Intercept {
			b.WriteString(" - 1")
		}
	}
	return b.String()
}

// Quote returns how a data column is written in a formula: the name itself
// when it is an identifier (letters, digits and underscores, not starting
// with a digit), otherwise Q("name") with \, " and control characters
// escaped. Parse reads every result back as the same column.
func Quote(name string) string {
	if isIdentifier(name) {
		return name
	}
	var b strings.Builder
	b.WriteString(`Q("`)
	for _, r := range name {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f || r == utf8.RuneError {
				b.WriteString(`\u`)
				h := strconv.FormatInt(int64(r), 16)
				b.WriteString(strings.Repeat("0", 4-len(h)) + h)
				continue
			}
			b.WriteRune(r)
		}
	}
	b.WriteString(`")`)
	return b.String()
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

func isIdentifier(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		if i == 0 && !isIdentStart(r) || !isIdentPart(r) {
			return false
		}
	}
	return true
}

// invalid returns an input_invalid error that points at a byte offset of
// the formula.
func invalid(offset int, format string, args ...any) *errcode.Error {
	return errcode.New(errcode.InputInvalid, format, args...).With("key", "formula").With("offset", offset)
}
