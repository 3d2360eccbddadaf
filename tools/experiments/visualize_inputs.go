package experiments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/toolq/toolq/tools/internal/formula"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

// Inputs of visualize_doe: the design table, the analysis results of
// fit_linear_model, analyze_experiment or optimize_responses, and the
// polynomial models the charts evaluate.

// vizValue is one cell of design_data: a number (num, with isInt when it
// was written as a JSON integer), a string, a bool, or missing.
type vizValue struct {
	kind  byte // 0 missing, 'n' number, 's' string, 'b' bool
	num   float64
	isInt bool
	str   string
}

// vizDataRow is one run of design_data, its keys in the order given.
type vizDataRow struct {
	keys []string
	vals map[string]vizValue
}

// UnmarshalJSON reads a JSON object of scalars keeping its key order. It
// scans the bytes directly: encoding/json has already checked that they
// are one valid JSON value, and its token API costs microseconds per
// value, which design_data's up to a million cells cannot afford.
func (r *vizDataRow) UnmarshalJSON(b []byte) error {
	s := vizScanner{b: b}
	if s.skip(); s.peek() != '{' {
		return errors.New("a run must be an object")
	}
	s.i++
	r.vals = map[string]vizValue{}
	for {
		s.skip()
		if s.peek() == '}' {
			return nil
		}
		if s.peek() == ',' {
			s.i++
			s.skip()
		}
		key, err := s.str()
		if err != nil {
			return err
		}
		s.skip()
		s.i++ // ':'
		s.skip()
		var cell vizValue
		switch c := s.peek(); {
		case c == '"':
			v, err := s.str()
			if err != nil {
				return err
			}
			cell = vizValue{kind: 's', str: v}
		case c == 't' || c == 'f':
			t := c == 't'
			s.i += 4
			if !t {
				s.i++
			}
			cell = vizValue{kind: 'b', str: "False"}
			if t {
				cell.str = "True" // str() of a Python bool
			}
		case c == 'n':
			s.i += 4
		case c == '-' || c >= '0' && c <= '9':
			start := s.i
			for s.i < len(b) && strings.IndexByte("+-.eE0123456789", b[s.i]) >= 0 {
				s.i++
			}
			text := string(b[start:s.i])
			x, err := strconv.ParseFloat(text, 64)
			if err != nil || math.IsInf(x, 0) {
				return fmt.Errorf("%s: %s is not a finite number", key, text)
			}
			cell = vizValue{kind: 'n', num: x, isInt: !strings.ContainsAny(text, ".eE")}
		default:
			return fmt.Errorf("%s: a value must be a number, a string, a boolean or null", key)
		}
		if _, dup := r.vals[key]; !dup {
			r.keys = append(r.keys, key)
		}
		r.vals[key] = cell
	}
}

// vizScanner walks a valid JSON text.
type vizScanner struct {
	b []byte
	i int
}

func (s *vizScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *vizScanner) skip() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

// str reads a string; escapes are decoded by encoding/json.
func (s *vizScanner) str() (string, error) {
	if s.peek() != '"' {
		return "", errors.New("a key or string was expected")
	}
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) && s.b[s.i] != '"' {
		if s.b[s.i] == '\\' {
			escaped = true
			s.i++
		}
		s.i++
	}
	s.i++
	if s.i > len(s.b) {
		return "", errors.New("unterminated string")
	}
	if !escaped {
		return string(s.b[start+1 : s.i-1]), nil
	}
	var out string
	err := json.Unmarshal(s.b[start:s.i], &out)
	return out, err
}

// vizTable is design_data as pandas sees it: the columns in order of first
// appearance; a key missing from a run is a missing value.
type vizTable struct {
	rows    []vizDataRow
	columns []string
}

func newVizTable(rows []vizDataRow) *vizTable {
	t := &vizTable{rows: rows}
	seen := map[string]bool{}
	for _, r := range rows {
		for _, k := range r.keys {
			if !seen[k] {
				seen[k] = true
				t.columns = append(t.columns, k)
			}
		}
	}
	return t
}

// formulaRows returns the numeric columns as package formula reads rows
// (other columns are not needed by the models fitted here).
func (t *vizTable) formulaRows(cols []string) formula.Rows {
	out := make(formula.Rows, len(t.rows))
	for i, r := range t.rows {
		m := make(map[string]any, len(cols))
		for _, c := range cols {
			if v := r.vals[c]; v.kind == 'n' {
				m[c] = v.num
			}
		}
		out[i] = m
	}
	return out
}

func (t *vizTable) has(col string) bool { return slices.Contains(t.columns, col) }

func (t *vizTable) cell(i int, col string) vizValue { return t.rows[i].vals[col] }

// numeric returns a column as numbers (NaN where missing), and false when
// it holds a string or a boolean.
func (t *vizTable) numeric(col string) ([]float64, bool) {
	out := make([]float64, len(t.rows))
	for i := range t.rows {
		c := t.cell(i, col)
		switch c.kind {
		case 0:
			out[i] = math.NaN()
		case 'n':
			out[i] = c.num
		default:
			return nil, false
		}
	}
	return out, true
}

// vizLevel is a distinct value of a factor column.
type vizLevel struct {
	num   float64
	str   string
	label string   // str() of the pandas value
	cell  vizValue // the value itself
}

// levels returns the sorted distinct non-missing values of a column and
// their labels as pandas writes them: an integer column as "1", a float
// column as "1.0", strings as they are. A column that mixes numbers with
// strings or booleans is an input error (pandas cannot sort it).
func (t *vizTable) levels(col string) ([]vizLevel, error) {
	var kind byte
	allInt := true // pandas keeps int64 only without floats and missing values
	for i := range t.rows {
		c := t.cell(i, col)
		if c.kind == 0 {
			allInt = false
			continue
		}
		if kind == 0 {
			kind = c.kind
		} else if kind != c.kind {
			return nil, tool.Invalidf("design_data column %q mixes numbers, strings and booleans", col).With("key", "design_data")
		}
		if c.kind == 'n' && !c.isInt {
			allInt = false
		}
	}
	var out []vizLevel
	seen := map[string]bool{}
	for i := range t.rows {
		c := t.cell(i, col)
		if c.kind == 0 {
			continue
		}
		key := c.key()
		if seen[key] {
			continue
		}
		seen[key] = true
		lv := vizLevel{num: c.num, str: c.str, label: c.str, cell: c}
		if c.kind == 'n' {
			if allInt && math.Abs(c.num) < 1<<53 {
				lv.label = strconv.FormatFloat(c.num, 'f', -1, 64)
			} else {
				lv.label = pyfmt.Repr(c.num)
			}
		}
		out = append(out, lv)
	}
	slices.SortStableFunc(out, func(a, b vizLevel) int {
		if kind == 'n' {
			switch {
			case a.num < b.num:
				return -1
			case a.num > b.num:
				return 1
			}
			return 0
		}
		return strings.Compare(a.str, b.str)
	})
	return out, nil
}

// key identifies a value for grouping (pandas ==: -0.0 equals 0.0).
func (c vizValue) key() string {
	switch c.kind {
	case 'n':
		if c.num == 0 {
			return "0"
		}
		return strconv.FormatFloat(c.num, 'g', -1, 64)
	case 's':
		return "s" + c.str
	case 'b':
		return "b" + c.str
	}
	return ""
}

func (lv vizLevel) key() string { return lv.cell.key() }

// matches reports whether run i has the level in col (pandas ==).
func (t *vizTable) matches(i int, col string, lv vizLevel) bool {
	c := t.cell(i, col)
	switch c.kind {
	case 'n':
		return c.num == lv.num
	case 's', 'b':
		return c.str == lv.str
	}
	return false
}

// vizMean is pandas' Series.mean: NaN values skipped, NaN when none.
func vizMean(x []float64) float64 {
	s, n := 0.0, 0
	for _, v := range x {
		if !math.IsNaN(v) {
			s += v
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

// ---------------------------------------------------------------------------
// Analysis results

// vizNumber is a JSON number that may be null (NaN) in analysis results.
type vizNumber = tool.Float

type vizCoefficient struct {
	// analyze_experiment writes term and coefficient; fit_linear_model
	// name and estimate.
	Term        string     `json:"term"`
	Coefficient *vizNumber `json:"coefficient"`
	Name        string     `json:"name"`
	Estimate    *vizNumber `json:"estimate"`
}

func (c vizCoefficient) pair() (string, float64, bool) {
	term, v := c.Term, c.Coefficient
	if term == "" {
		term, v = c.Name, c.Estimate
	}
	if term == "" || v == nil || math.IsNaN(float64(*v)) || math.IsInf(float64(*v), 0) {
		return "", 0, false
	}
	return term, float64(*v), true
}

type vizLenthEffect struct {
	Term     string     `json:"term"`
	Effect   *vizNumber `json:"effect"`
	ActiveME bool       `json:"active_ME"`
}

type vizOptResponse struct {
	Name         string           `json:"name"`
	ResponseName string           `json:"response_name"`
	Coefficients []vizCoefficient `json:"coefficients"`
	Goal         string           `json:"goal"`
	Low          *vizNumber       `json:"low"`
	High         *vizNumber       `json:"high"`
	Target       *vizNumber       `json:"target"`
	Weight       *vizNumber       `json:"weight"`
	WeightHigh   *vizNumber       `json:"weight_high"`
	Importance   *vizNumber       `json:"importance"`
}

type vizPathStep struct {
	Step              vizNumber         `json:"step"`
	Coded             vizOrderedNumbers `json:"coded"`
	PredictedResponse *vizNumber        `json:"predicted_response"`
	ActualResponse    *vizNumber        `json:"actual_response"`
}

type vizPath struct {
	Direction       string            `json:"direction"`
	DirectionVector vizOrderedNumbers `json:"direction_vector"`
	StepSize        *vizNumber        `json:"step_size"`
	Steps           []vizPathStep     `json:"steps"`
}

// vizAnalysis holds the keys of analysis_results the plots read; others
// are ignored, so a whole analyze_experiment result can be passed.
type vizAnalysis struct {
	Effects             vizOrderedNumbers `json:"effects"`
	Coefficients        []vizCoefficient  `json:"coefficients"`
	ResidualDiagnostics *struct {
		Residuals    []vizNumber `json:"residuals"`
		FittedValues []vizNumber `json:"fitted_values"`
	} `json:"residual_diagnostics"`
	LenthMethod *struct {
		PSE     *vizNumber       `json:"PSE"`
		ME      *vizNumber       `json:"ME"`
		SME     *vizNumber       `json:"SME"`
		Effects []vizLenthEffect `json:"effects"`
	} `json:"lenth_method"`
	ModelSummary *struct {
		Formula string     `json:"formula"`
		NObs    *vizNumber `json:"n_obs"`
		NParams *vizNumber `json:"n_params"`
		DfModel *vizNumber `json:"df_model"`
	} `json:"model_summary"`
	Optimization *struct {
		Responses []vizOptResponse `json:"responses"`
	} `json:"optimization"`
	SteepestPath *vizPath `json:"steepest_path"`
}

// vizOrderedNumbers is a JSON object of numbers (null allowed) that keeps its
// key order, as the seed's dicts do.
type vizOrderedNumbers struct {
	keys []string
	vals []float64
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *vizOrderedNumbers) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("must be an object of numbers")
	}
	*o = vizOrderedNumbers{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var v *float64
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%v: %w", tok, err)
		}
		x := math.NaN()
		if v != nil {
			x = *v
		}
		key := tok.(string)
		if i := slices.Index(o.keys, key); i >= 0 {
			o.vals[i] = x
			continue
		}
		o.keys = append(o.keys, key)
		o.vals = append(o.vals, x)
	}
	_, err = dec.Token()
	return err
}

func (o vizOrderedNumbers) get(key string) (float64, bool) {
	if i := slices.Index(o.keys, key); i >= 0 {
		return o.vals[i], true
	}
	return 0, false
}

// ---------------------------------------------------------------------------
// Polynomial models

// vizPiece is one factor of a model term: a variable to a power.
type vizPiece struct {
	name  string
	power int
}

// vizTerm is a model term and its coefficient. A term the charts cannot
// evaluate (a categorical level, say) has known false and contributes
// nothing, as in the seed, which looked such names up as factors and found
// none.
type vizTerm struct {
	name   string
	coef   float64
	pieces []vizPiece // empty for the intercept
	known  bool
}

// vizModel is a fitted polynomial in the factors.
type vizModel struct {
	terms []vizTerm
}

// vizParseTerm reads a patsy term name: "Intercept", "A", "A:B",
// "I(A ** 2)", "Q(\"a b\")" and products of those.
func vizParseTerm(name string) ([]vizPiece, bool) {
	if name == "Intercept" {
		return nil, true
	}
	f, err := formula.Parse("y ~ "+name, nil)
	if err != nil || len(f.Terms) != 1 || !f.Intercept {
		return nil, false
	}
	var pieces []vizPiece
	for _, fac := range f.Terms[0] {
		switch fac.Kind {
		case formula.Variable:
			pieces = append(pieces, vizPiece{fac.Var, 1})
		case formula.Power:
			pieces = append(pieces, vizPiece{fac.Var, fac.Exponent})
		default:
			return nil, false
		}
	}
	return pieces, true
}

// vizModelFromCoefficients builds a model from coefficient entries.
func vizModelFromCoefficients(coefs []vizCoefficient) *vizModel {
	m := &vizModel{}
	for _, c := range coefs {
		name, v, ok := c.pair()
		if !ok {
			continue
		}
		pieces, known := vizParseTerm(name)
		m.terms = append(m.terms, vizTerm{name: name, coef: v, pieces: pieces, known: known})
	}
	return m
}

// coef returns the coefficient of a term by name (0 when absent).
func (m *vizModel) coef(name string) float64 {
	for _, t := range m.terms {
		if t.name == name {
			return t.coef
		}
	}
	return 0
}

// predict evaluates the model at a point; factors absent from the point
// are at 0 (the centre).
func (m *vizModel) predict(point map[string]float64) float64 {
	y := 0.0
	for _, t := range m.terms {
		if !t.known {
			continue
		}
		v := t.coef
		for _, p := range t.pieces {
			v *= math.Pow(point[p.name], float64(p.power))
		}
		y += v
	}
	return y
}

// variables returns the factors the model uses, in order of first use.
func (m *vizModel) variables() []string {
	var out []string
	for _, t := range m.terms {
		for _, p := range t.pieces {
			if !slices.Contains(out, p.name) {
				out = append(out, p.name)
			}
		}
	}
	return out
}

// linearTerm is the coefficient of the plain main effect of a factor, and
// quadratic that of its square; interaction that of the product of two
// factors (in either order).
func (m *vizModel) linearTerm(name string) float64 {
	return m.find(func(p []vizPiece) bool { return len(p) == 1 && p[0] == vizPiece{name, 1} })
}

func (m *vizModel) quadratic(name string) float64 {
	return m.find(func(p []vizPiece) bool { return len(p) == 1 && p[0] == vizPiece{name, 2} })
}

func (m *vizModel) interaction(a, b string) float64 {
	return m.find(func(p []vizPiece) bool {
		return len(p) == 2 && (p[0] == vizPiece{a, 1} && p[1] == vizPiece{b, 1} || p[0] == vizPiece{b, 1} && p[1] == vizPiece{a, 1})
	})
}

func (m *vizModel) intercept() float64 {
	return m.find(func(p []vizPiece) bool { return len(p) == 0 })
}

func (m *vizModel) find(match func([]vizPiece) bool) float64 {
	s := 0.0
	for _, t := range m.terms {
		if t.known && match(t.pieces) {
			s += t.coef
		}
	}
	return s
}
