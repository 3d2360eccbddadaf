package formula

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
)

// decodeRows decodes JSON rows the way the tools do: numbers stay
// json.Number, so integer literals are told from floats.
func decodeRows(t testing.TB, b []byte) Rows {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var rows Rows
	if err := dec.Decode(&rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

type designCase struct {
	Formula string          `json:"formula"`
	Note    string          `json:"note"`
	Data    json.RawMessage `json:"data"`
	Columns []string        `json:"columns"`
	Terms   []string        `json:"terms"`
	X       [][]float64     `json:"x"`
	Y       []float64       `json:"y"`
	Rows    []int           `json:"rows"`
	Error   string          `json:"error"`
}

func loadDesignCases(t *testing.T) []designCase {
	t.Helper()
	b, err := os.ReadFile("testdata/patsy_designs.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []designCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Cases
}

// TestAgainstPatsyDesigns compares model matrices with patsy 0.5.3's
// dmatrices on pandas DataFrames built from the same records
// (testdata/patsy_designs.json): column names and order, term order,
// values, the rows kept after dropping missing values, and the response.
// The cases cover numeric terms, powers, string, boolean and C() numeric
// categoricals, reduced and full-rank coding in interactions, intercept
// removal, missing values (null and absent keys) and a level seen only on a
// dropped row.
func TestAgainstPatsyDesigns(t *testing.T) {
	t.Parallel()
	cases := loadDesignCases(t)
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Formula+" "+c.Note, func(t *testing.T) {
			t.Parallel()
			if c.Error != "" {
				t.Fatalf("reference case failed in patsy: %s", c.Error)
			}
			f, err := Parse(c.Formula, nil)
			if err != nil {
				t.Fatal(err)
			}
			d, err := f.Build(decodeRows(t, c.Data), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Columns, c.Columns) {
				t.Fatalf("columns\n got %q\nwant %q", d.Columns, c.Columns)
			}
			var terms []string
			for _, dt := range d.Terms {
				terms = append(terms, dt.Name)
			}
			if !slices.Equal(terms, c.Terms) {
				t.Errorf("terms %q, want %q", terms, c.Terms)
			}
			if !slices.Equal(d.Rows, c.Rows) {
				t.Errorf("rows %v, want %v", d.Rows, c.Rows)
			}
			n, p := d.X.Dims()
			if n != len(c.X) || p != len(c.Columns) {
				t.Fatalf("X is %d×%d, want %d×%d", n, p, len(c.X), len(c.Columns))
			}
			for i := range c.X {
				for j, want := range c.X[i] {
					if got := d.X.At(i, j); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
						t.Fatalf("X[%d][%d] (%s) = %v, want %v", i, j, c.Columns[j], got, want)
					}
				}
			}
			if c.Y != nil && !slices.Equal(d.Y, c.Y) {
				t.Errorf("y %v, want %v", d.Y, c.Y)
			}
			// Terms own contiguous column ranges that cover X.
			next := 0
			for _, dt := range d.Terms {
				if dt.Start != next || dt.End < dt.Start {
					t.Fatalf("term %s has columns [%d, %d), want a range starting at %d", dt.Name, dt.Start, dt.End, next)
				}
				next = dt.End
			}
			if next != p {
				t.Errorf("terms cover %d columns of %d", next, p)
			}
			// The same rows through Matrix give the same matrix.
			var all Rows
			if err := json.Unmarshal(c.Data, &all); err != nil {
				t.Fatal(err)
			}
			kept := make(Rows, len(d.Rows))
			for k, i := range d.Rows {
				kept[k] = all[i]
			}
			x2, err := d.Matrix(kept)
			if err != nil {
				t.Fatal(err)
			}
			if !matEqual(d.X, x2) {
				t.Error("Matrix on the fitted rows differs from X")
			}
		})
	}
}

func matEqual(a, b interface {
	At(i, j int) float64
	Dims() (int, int)
}) bool {
	n, p := a.Dims()
	m, q := b.Dims()
	if n != m || p != q {
		return false
	}
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			if a.At(i, j) != b.At(i, j) {
				return false
			}
		}
	}
	return true
}

// TestDesignErrors: data the formula cannot use is input_invalid, oversize
// data input_too_large; nothing panics.
func TestDesignErrors(t *testing.T) {
	t.Parallel()
	rows := func(n int, fn func(i int) map[string]any) Rows {
		out := make(Rows, n)
		for i := range out {
			out[i] = fn(i)
		}
		return out
	}
	numeric := rows(6, func(i int) map[string]any {
		return map[string]any{"A": float64(i), "B": float64(i * i % 5), "y": float64(2*i + 1), "s": fmt.Sprint("l", i%2)}
	})
	manyLevels := rows(300, func(i int) map[string]any {
		return map[string]any{"a": fmt.Sprint("lvl", i), "y": float64(i)}
	})
	cases := []struct {
		name    string
		formula string
		rows    Rows
		lim     *Limits
		code    errcode.Code
		message string
	}{
		{"unknown column", "y ~ A + Z", numeric, nil, errcode.InputInvalid, "the formula uses 'Z', which is not a column of data"},
		{"unknown response", "w ~ A", numeric, nil, errcode.InputInvalid, "'w'"},
		{"string response", "s ~ A", numeric, nil, errcode.InputInvalid, "the response 's' must be numeric; it holds strings"},
		{"power of strings", "y ~ I(s ** 2)", numeric, nil, errcode.InputInvalid, "I(s ** 2) needs a numeric column"},
		{"mixed column", "y ~ A", Rows{{"A": 1.0, "y": 1.0}, {"A": "x", "y": 2.0}}, nil, errcode.InputInvalid, "column 'A' mixes numbers and strings (row 1)"},
		{"bool and string", "y ~ A", Rows{{"A": true, "y": 1.0}, {"A": "x", "y": 2.0}}, nil, errcode.InputInvalid, "mixes booleans and strings"},
		{"object value", "y ~ A", Rows{{"A": map[string]any{}, "y": 1.0}}, nil, errcode.InputInvalid, "a value must be a number, a string, a boolean or null"},
		{"array value", "y ~ A", Rows{{"A": []any{1.0}, "y": 1.0}}, nil, errcode.InputInvalid, "a value must be"},
		{"infinite value", "y ~ A", Rows{{"A": math.Inf(1), "y": 1.0}}, nil, errcode.InputInvalid, "not finite"},
		{"unparsable number", "y ~ A", Rows{{"A": json.Number("x1"), "y": 1.0}}, nil, errcode.InputInvalid, "a value must be"},
		{"overflowing power", "y ~ I(A ** 2)", Rows{{"A": 1e200, "y": 1.0}, {"A": 1.0, "y": 2.0}}, nil, errcode.InputInvalid, "I(A ** 2) is not finite"},
		{"every row missing", "y ~ A", Rows{{"A": nil, "y": 1.0}, {"y": 2.0, "A": 1.0, "x": 1}, {"A": 3.0}}[:1], nil, errcode.InputInvalid, "every row has a missing value"},
		{"no rows", "y ~ A", Rows{}, nil, errcode.InputInvalid, "data has no rows"},
		{"no columns", "y ~ 0", numeric, nil, errcode.InputInvalid, "the model has no columns"},
		{"too many rows", "y ~ A", rows(10_001, func(i int) map[string]any { return map[string]any{"A": 1.0, "y": 1.0} }), nil, errcode.InputTooLarge, "data has 10001 rows; the cap is 10000"},
		{"too many columns", "y ~ a", manyLevels, nil, errcode.InputTooLarge, "more than 100 columns"},
		{"too many interaction columns", "y ~ C(A):C(B):C(y)", rows(60, func(i int) map[string]any {
			return map[string]any{"A": float64(i % 7), "B": float64(i % 11), "y": float64(i % 13)}
		}), nil, errcode.InputTooLarge, "more than 100 columns"},
		{"a raised column cap", "y ~ a", manyLevels, &Limits{MaxColumns: 300}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := Parse(tc.formula, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.Build(tc.rows, tc.lim)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := wantCode(t, err, tc.code)
			if !strings.Contains(e.Message, tc.message) {
				t.Errorf("message %q, want it to contain %q", e.Message, tc.message)
			}
		})
	}
}

// TestMatrixNewData: predictions rows get the fitted coding; unknown levels,
// missing values and wrong kinds are refused.
func TestMatrixNewData(t *testing.T) {
	t.Parallel()
	fit := Rows{
		{"x": 1.0, "a": "lo", "y": 1.0}, {"x": 2.0, "a": "hi", "y": 2.0},
		{"x": 3.0, "a": "mid", "y": 3.0}, {"x": 4.0, "a": "lo", "y": 5.0},
	}
	f, err := Parse("y ~ x*a + I(x ** 2)", nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Build(fit, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Columns: Intercept, a[T.lo], a[T.mid], x, x:a[T.lo], x:a[T.mid], I(x ** 2).
	x, err := d.Matrix(Rows{{"x": 0.5, "a": "mid"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 0, 1, 0.5, 0, 0.5, 0.25}
	for j, w := range want {
		if got := x.At(0, j); got != w {
			t.Errorf("%s = %v, want %v", d.Columns[j], got, w)
		}
	}
	for _, bad := range []struct {
		rows    Rows
		message string
	}{
		{Rows{{"x": 0.5, "a": "new"}}, "a has no level 'new'"},
		{Rows{{"x": 0.5}}, "'a'"},
		{Rows{{"x": nil, "a": "lo"}}, "row 0 has no value for 'x'"},
		{Rows{{"x": "1", "a": "lo"}}, "'x' must be numeric"},
		{Rows{{"x": 1.0, "a": 3.0}}, "'a' must hold strings"},
	} {
		_, err := d.Matrix(bad.rows)
		e := wantCode(t, err, errcode.InputInvalid)
		if !strings.Contains(e.Message, bad.message) {
			t.Errorf("%v: message %q, want it to contain %q", bad.rows, e.Message, bad.message)
		}
	}
	if m, err := d.Matrix(nil); m != nil || err != nil {
		t.Errorf("Matrix(nil) = %v, %v", m, err)
	}

	// After Drop, Matrix builds the reduced columns.
	dd := d.Drop([]int{2, 5, 2})
	if want := []string{"Intercept", "a[T.lo]", "x", "x:a[T.lo]", "I(x ** 2)"}; !slices.Equal(dd.Columns, want) {
		t.Fatalf("columns after Drop %q, want %q", dd.Columns, want)
	}
	var names []string
	for _, dt := range dd.Terms {
		names = append(names, fmt.Sprintf("%s[%d:%d]", dt.Name, dt.Start, dt.End))
	}
	if want := []string{"Intercept[0:1]", "a[1:2]", "x[2:3]", "x:a[3:4]", "I(x ** 2)[4:5]"}; !slices.Equal(names, want) {
		t.Errorf("terms after Drop %q, want %q", names, want)
	}
	x2, err := dd.Matrix(Rows{{"x": 0.5, "a": "lo"}})
	if err != nil {
		t.Fatal(err)
	}
	for j, w := range []float64{1, 1, 0.5, 0.5, 0.25} {
		if got := x2.At(0, j); got != w {
			t.Errorf("after Drop, %s = %v, want %v", dd.Columns[j], got, w)
		}
	}
	if got := dd.Degrees(); !slices.Equal(got, []int{0, 1, 1, 2, 1}) {
		t.Errorf("Degrees %v", got)
	}
	if dd.TermOf(3) != 3 || dd.TermOf(9) != -1 {
		t.Error("TermOf")
	}
	// Dropping a whole term removes it.
	if got := len(d.Drop([]int{1, 2}).Terms); got != len(d.Terms)-1 {
		t.Errorf("%d terms after dropping both columns of a, want %d", got, len(d.Terms)-1)
	}
}

// TestLevelNames: categorical level names follow pandas' dtypes: integers
// as written, floats (or a column with a missing value) in Python's repr,
// booleans as True/False.
func TestLevelNames(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rows Rows
		want []string
	}{
		{Rows{{"n": json.Number("1"), "y": 1.0}, {"n": json.Number("10"), "y": 2.0}, {"n": json.Number("2"), "y": 3.0}}, []string{"Intercept", "C(n)[T.2]", "C(n)[T.10]"}},
		{Rows{{"n": 1, "y": 1.0}, {"n": int64(-3), "y": 2.0}}, []string{"Intercept", "C(n)[T.1]"}},
		{Rows{{"n": json.Number("1"), "y": 1.0}, {"n": json.Number("2.5"), "y": 2.0}}, []string{"Intercept", "C(n)[T.2.5]"}},
		{Rows{{"n": json.Number("1"), "y": 1.0}, {"n": json.Number("2"), "y": 2.0}, {"y": 3.0}}, []string{"Intercept", "C(n)[T.2.0]"}},
		{Rows{{"n": 0.1, "y": 1.0}, {"n": 1e20, "y": 2.0}, {"n": 1e-7, "y": 2.0}}, []string{"Intercept", "C(n)[T.0.1]", "C(n)[T.1e+20]"}},
		{Rows{{"n": json.Number("1"), "y": 1.0}, {"n": json.Number("1.0"), "y": 2.0}, {"n": json.Number("3"), "y": 2.0}}, []string{"Intercept", "C(n)[T.3.0]"}},
		{Rows{{"n": true, "y": 1.0}, {"n": false, "y": 2.0}}, []string{"Intercept", "C(n)[T.True]"}},
		{Rows{{"n": "b", "y": 1.0}, {"n": "B", "y": 2.0}, {"n": "a", "y": 2.0}, {"n": "é", "y": 2.0}}, []string{"Intercept", "C(n)[T.a]", "C(n)[T.b]", "C(n)[T.é]"}},
	}
	f, err := Parse("y ~ C(n)", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		d, err := f.Build(tc.rows, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(d.Columns, tc.want) {
			t.Errorf("%v: columns %q, want %q", tc.rows, d.Columns, tc.want)
		}
	}
}

// FuzzParse: Parse never panics and refuses only with typed input errors;
// every formula it accepts round-trips through String and builds a model
// matrix from data that has its columns (two levels each), failing only on
// the column cap or a model without columns.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"y ~ A*B*C", "y ~ (A+B+C)**2", "y ~ A + I(A ** 2) - 1", "y ~ C(a):x", `Q("a b") ~ Q('c d')`,
		"~ 0", "", "y ~ (A+B)^3", "y ~ -1 + A:B:C", "y ~ 1:A", "y ~ A ** 0", "((((", "y ~ I(A^100)",
		"y ~ A - (B + 1) + 0 - 0", "\xff", `y ~ Q("\u00e9\\\"")`, "y ~ 9999999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		form, err := Parse(src, nil)
		if err != nil {
			var e *errcode.Error
			if !asErr(err, &e) || (e.Code != errcode.InputInvalid && e.Code != errcode.InputTooLarge) {
				t.Fatalf("%q: untyped refusal %T %v", src, err, err)
			}
			return
		}
		again, err := Parse(form.String(), &Limits{MaxChars: 1 << 20})
		if err != nil {
			t.Fatalf("%q → %q does not parse: %v", src, form.String(), err)
		}
		if again.String() != form.String() {
			t.Fatalf("%q → %q → %q", src, form.String(), again.String())
		}
		rows := make(Rows, 4)
		for i := range rows {
			rows[i] = map[string]any{}
			for _, v := range form.Variables() {
				rows[i][v] = float64(i%2) + 0.5
			}
		}
		d, err := form.Build(rows, nil)
		if err != nil {
			var e *errcode.Error
			if !asErr(err, &e) {
				t.Fatalf("%q: untyped build error %v", src, err)
			}
			if e.Code == errcode.InputTooLarge || form.NumTerms() == 0 {
				return
			}
			t.Fatalf("%q (%s): accepted but cannot be built: %v", src, form, err)
		}
		if _, p := d.X.Dims(); p != len(d.Columns) {
			t.Fatalf("%q: %d columns, %d names", src, p, len(d.Columns))
		}
	})
}

func asErr(err error, target **errcode.Error) bool {
	e, ok := err.(*errcode.Error)
	if ok {
		*target = e
	}
	return ok
}
