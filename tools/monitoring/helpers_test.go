package monitoring

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/toolq/toolq/tools/internal/tooltest"
	"github.com/toolq/toolq/tools/tool"
)

// def returns the named definition from Defs.
func def(t *testing.T, name string) tool.Def {
	t.Helper()
	return tooltest.Def(t, Defs(), name)
}

// call runs the named tool as the registry does after validation (see
// tooltest.Call) and fails the test on an error.
func call(t *testing.T, name string, input any) tooltest.Result {
	t.Helper()
	return tooltest.Call(t, def(t, name), input)
}

// try is call that returns the tool's error instead of failing.
func try(t *testing.T, name string, input any) (tooltest.Result, error) {
	t.Helper()
	return tooltest.Try(t, def(t, name), input)
}

// near reports whether got is within rel·|want| of want (within rel when
// want is 0); NaN matches NaN.
func near(got, want, rel float64) bool {
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	tol := rel * math.Abs(want)
	if want == 0 {
		tol = rel
	}
	return math.Abs(got-want) <= tol
}

// golden is one expected number of a tool result; abs, when set, is an
// absolute tolerance instead of the relative rel.
type golden struct {
	key  string
	want float64
	rel  float64
	abs  float64
}

func checkGolden(t *testing.T, r tooltest.Result, gs []golden) {
	t.Helper()
	for _, g := range gs {
		got := r.Num(t, g.key)
		ok := near(got, g.want, g.rel)
		if g.abs > 0 {
			ok = math.Abs(got-g.want) <= g.abs
		}
		if !ok {
			t.Errorf("%s = %.17g, want %.17g (rel %g, abs %g)", g.key, got, g.want, g.rel, g.abs)
		}
	}
}

// readColumn reads a one-column CSV file with a header line.
func readColumn(t *testing.T, path string) []float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	var out []float64
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		v, err := strconv.ParseFloat(line, 64)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// uniform returns n values drawn uniformly from [lo, hi) with a fixed PCG
// seed, so every run sees the same numbers.
func uniform(seed uint64, n int, lo, hi float64) []float64 {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	x := make([]float64, n)
	for i := range x {
		x[i] = lo + (hi-lo)*r.Float64()
	}
	return x
}

// nullable builds a values array in which NaN becomes JSON null.
func nullable(x []float64) []any {
	out := make([]any, len(x))
	for i, v := range x {
		if !math.IsNaN(v) {
			out[i] = v
		}
	}
	return out
}
