package experiments

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/stats"
)

// Design properties of generate_design's constructions.

// genFactorsJSON returns k continuous factors A, B, … (skipping I) on [−1, 1].
func genFactorsJSON(k int) string {
	names := factorLetters(k)
	parts := make([]string, k)
	for i, n := range names {
		parts[i] = fmt.Sprintf(`{"name": %q, "low": -1, "high": 1}`, n)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// codedRows extracts design_coded as rows in factor order.
func codedRows(t *testing.T, out map[string]any) [][]float64 {
	t.Helper()
	names := out["factor_names"].([]any)
	var rows [][]float64
	for _, r := range out["design_coded"].([]any) {
		m := r.(map[string]any)
		row := make([]float64, len(names))
		for j, n := range names {
			row[j] = m[n.(string)].(float64)
		}
		rows = append(rows, row)
	}
	return rows
}

// columnProduct returns the elementwise product of the chosen columns.
func columnProduct(m doeMatrix, cols []int) []float64 {
	out := make([]float64, len(m))
	for i, r := range m {
		p := 1.0
		for _, c := range cols {
			p *= r[c]
		}
		out[i] = p
	}
	return out
}

func sumOf(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

// checkOrthogonalTwoLevel: every column is ±1 and balanced, and every pair
// of columns is orthogonal.
func checkOrthogonalTwoLevel(t *testing.T, what string, m doeMatrix) {
	t.Helper()
	k := len(m[0])
	for j := range k {
		for _, r := range m {
			if r[j] != 1 && r[j] != -1 {
				t.Fatalf("%s: column %d holds %v", what, j, r[j])
			}
		}
		if s := sumOf(columnProduct(m, []int{j})); s != 0 {
			t.Fatalf("%s: column %d sums to %v", what, j, s)
		}
		for l := j + 1; l < k; l++ {
			if s := sumOf(columnProduct(m, []int{j, l})); s != 0 {
				t.Fatalf("%s: columns %d and %d have inner product %v", what, j, l, s)
			}
		}
	}
}

func TestFullFactorialProperties(t *testing.T) {
	t.Parallel()
	for k := 1; k <= 12; k++ {
		m := ff2n(k)
		if len(m) != 1<<k {
			t.Fatalf("ff2n(%d) has %d runs", k, len(m))
		}
		checkOrthogonalTwoLevel(t, fmt.Sprintf("ff2n(%d)", k), m)
		// The first factor changes slowest: it is −1 in the first half.
		if m[0][0] != -1 || m[len(m)/2][0] != 1 || m[1][k-1] != 1 {
			t.Fatalf("ff2n(%d) is not in product order: %v %v", k, m[0], m[1])
		}
		// Every interaction is orthogonal to the mean (k ≤ 8: all subsets).
		if k <= 8 {
			for set := 1; set < 1<<k; set++ {
				var cols []int
				for j := range k {
					if set>>j&1 == 1 {
						cols = append(cols, j)
					}
				}
				if s := sumOf(columnProduct(m, cols)); s != 0 {
					t.Fatalf("ff2n(%d): product of %v sums to %v", k, cols, s)
				}
			}
		}
	}
}

func TestPlackettBurmanProperties(t *testing.T) {
	t.Parallel()
	// Up to 23 factors: Sylvester, H12, H20 (N = 20) and doubled H12 (N = 24).
	for k := 1; k <= 23; k++ {
		m, ok := pbdesign(k)
		if !ok {
			t.Fatalf("pbdesign(%d) refused", k)
		}
		if want := 4 * (k/4 + 1); len(m) != want || len(m[0]) != k {
			t.Fatalf("pbdesign(%d) is %d×%d, want %d×%d", k, len(m), len(m[0]), want, k)
		}
		checkOrthogonalTwoLevel(t, fmt.Sprintf("pbdesign(%d)", k), m)
		// flipud: the last run is all +1 (the Hadamard matrix's first row).
		for _, v := range m[len(m)-1] {
			if v != 1 {
				t.Fatalf("pbdesign(%d) last run %v", k, m[len(m)-1])
			}
		}
	}
	if _, ok := pbdesign(27); ok {
		t.Error("pbdesign(27) (N = 28) accepted; pyDOE3 asserts")
	}
}

// shortestWord is the length of the shortest set of columns whose product
// is constant (±1 in every run) — the resolution read off the matrix, 0
// when no set up to maxLen is.
func shortestWord(m doeMatrix, maxLen int) int {
	k := len(m[0])
	for size := 1; size <= maxLen; size++ {
		found := false
		doeCombinations(k, size, func(idx []int) bool {
			p := columnProduct(m, idx)
			constant := true
			for _, v := range p {
				constant = constant && v == p[0]
			}
			found = constant
			return !found
		})
		if found {
			return size
		}
	}
	return 0
}

// TestFractionalResolution: for every k and resolution the design is a
// 2^(k−p) fraction whose resolution, read off the matrix, is the one
// reported and at least the one asked for; pyDOE3's design is kept where
// it attains it.
func TestFractionalResolution(t *testing.T) {
	t.Parallel()
	for k := 3; k <= 15; k++ {
		for res := 3; res <= 5; res++ {
			p := fractionalByResolution(k, res)
			m := p.matrix()
			if len(m) != 1<<len(p.base) {
				t.Fatalf("k=%d res=%d: %d runs for %d base factors", k, res, len(m), len(p.base))
			}
			checkOrthogonalTwoLevel(t, fmt.Sprintf("k=%d res=%d", k, res), m)
			got := p.resolution()
			if len(p.gen) == 0 {
				if len(m) != 1<<k || shortestWord(m, k) != 0 {
					t.Fatalf("k=%d res=%d: no generators but not the full factorial", k, res)
				}
				continue
			}
			if got < res {
				t.Fatalf("k=%d res=%d: resolution %d", k, res, got)
			}
			if w := shortestWord(m, min(got, 6)); w != got {
				t.Fatalf("k=%d res=%d: reported resolution %d, the matrix has a word of length %d", k, res, got, w)
			}
			if b, gens, ok := pydoeFracfactByRes(k, res); ok {
				pp := firstFactorsPlan(k, b, slicesToWords(gens))
				if pp.resolution() >= res && !slices.Equal(pp.words, p.words) {
					t.Fatalf("k=%d res=%d: pyDOE3's design attains the resolution but was not kept", k, res)
				}
			}
		}
	}
	// Known minimum run counts (Box, Hunter & Hunter's tables).
	for _, tc := range []struct{ k, res, runs int }{
		{3, 3, 4}, {4, 4, 8}, {5, 5, 16}, {7, 3, 16}, {7, 4, 16}, {7, 5, 64}, {8, 5, 64}, {10, 5, 128}, {11, 5, 128}, {9, 4, 32},
	} {
		if n := 1 << len(fractionalByResolution(tc.k, tc.res).base); n != tc.runs {
			t.Errorf("k=%d at resolution %d: %d runs, want %d", tc.k, tc.res, n, tc.runs)
		}
	}
}

func slicesToWords(ms []uint32) []doeWord {
	out := make([]doeWord, len(ms))
	for i, m := range ms {
		out[i] = doeWord(m)
	}
	return out
}

func TestFractionalGenerators(t *testing.T) {
	t.Parallel()
	names := []string{"Temp", "Press", "Time", "Rate", "T"}
	p, err := doeParseGenerators([]string{"Rate=TempPressTime", "T = -TempTime"}, names)
	if err != nil {
		t.Fatal(err)
	}
	m := p.matrix()
	if len(m) != 8 {
		t.Fatalf("%d runs", len(m))
	}
	for _, r := range m {
		if r[3] != r[0]*r[1]*r[2] || r[4] != -r[0]*r[2] {
			t.Fatalf("run %v does not follow the generators", r)
		}
	}
	if got := p.generatorStrings(names); !slices.Equal(got, []string{"Rate=TempPressTime", "T=-TempTime"}) {
		t.Errorf("generators %v", got)
	}
	// "T" is a prefix of "Temp" and "Time": the longest name wins.
	if got := p.definingRelationStrings(names); !slices.Equal(got, []string{"I=-TempTimeT", "I=-PressRateT", "I=TempPressTimeRate"}) {
		t.Errorf("defining relation %v", got)
	}
	for _, bad := range [][]string{
		{"D"}, {"X=AB"}, {"D=AB", "D=AC"}, {"D=A"}, {"D=AX"}, {"D=AB", "E=AD"}, {"D=AB", "E=AB"}, {"D=AA"},
		{"A=BC", "B=AC", "C=AB", "D=ABC"},
	} {
		if _, err := doeParseGenerators(bad, []string{"A", "B", "C", "D", "E"}); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// TestCCDRotatable: with the rotatable α the pure fourth moments are three
// times the mixed ones and the odd moments vanish (Box–Hunter
// rotatability), and α is (2^k)^¼ correctly rounded.
func TestCCDRotatable(t *testing.T) {
	t.Parallel()
	for k := 2; k <= 8; k++ {
		out, err := doeRun(t, generateDesignDef(), fmt.Sprintf(`{"factors": %s, "design_type": "ccd", "alpha": "rotatable"}`, genFactorsJSON(k)))
		if err != nil {
			t.Fatal(err)
		}
		a := out["alpha"].(float64)
		// α⁴ = 2^k within rounding, and α is the nearest double.
		want := new(big.Float).SetPrec(200).SetFloat64(math.Pow(2, float64(k)))
		got := new(big.Float).SetPrec(200).SetFloat64(a)
		got.Mul(got, got)
		got.Mul(got, got)
		diff, _ := new(big.Float).Sub(got, want).Float64()
		if math.Abs(diff) > 4*math.Pow(2, float64(k))*1.2e-16 {
			t.Errorf("k=%d: α = %v, α⁴ − 2^k = %v", k, a, diff)
		}
		rows := codedRows(t, out)
		for i := range k {
			for j := range k {
				m4, m22, m1 := 0.0, 0.0, 0.0
				for _, r := range rows {
					m4 += math.Pow(r[i], 4)
					m22 += r[i] * r[i] * r[j] * r[j]
					m1 += r[i] * r[j] * r[j]
				}
				if math.Abs(m1) > 1e-9 {
					t.Errorf("k=%d: odd moment [%d%d%d] = %v", k, i, j, j, m1)
				}
				if i != j && math.Abs(m4-3*m22) > 1e-9*m4 {
					t.Errorf("k=%d: [iiii] = %v, 3[iijj] = %v: not rotatable", k, m4, 3*m22)
				}
			}
		}
		if n := int(out["n_runs"].(float64)); n != 1<<k+2*k+3 {
			t.Errorf("k=%d: %d runs", k, n)
		}
	}
}

func TestCCDAlphaChoices(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		alpha string
		cp    int
		want  float64
	}{
		{`"face_centered"`, 3, 1},
		{`"orthogonal"`, 4, math.Sqrt(2 * (1 + 2.0/4) / (1 + 2.0/4))}, // k = 2, nco = nao = 2
		{`0.5`, 0, 0.5},
	} {
		out, err := doeRun(t, generateDesignDef(), fmt.Sprintf(`{"factors": %s, "design_type": "ccd", "alpha": %s, "center_points": %d}`,
			genFactorsJSON(2), tc.alpha, tc.cp))
		if err != nil {
			t.Fatal(err)
		}
		if a := out["alpha"].(float64); math.Abs(a-tc.want) > 1e-15 {
			t.Errorf("alpha %s: %v, want %v", tc.alpha, a, tc.want)
		}
		// The star points sit at ±α.
		found := false
		for _, r := range codedRows(t, out) {
			if r[0] == tc.want && r[1] == 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("alpha %s: no star point at +α", tc.alpha)
		}
	}
}

func TestBoxBehnkenProperties(t *testing.T) {
	t.Parallel()
	for k := 3; k <= 15; k++ {
		m := bbdesign(k, 2)
		if len(m) != 2*k*(k-1)+2 {
			t.Fatalf("k=%d: %d runs", k, len(m))
		}
		for i, r := range m[:len(m)-2] {
			nz := 0
			for _, v := range r {
				if v != 0 {
					nz++
				}
			}
			if nz != 2 {
				t.Fatalf("k=%d run %d = %v", k, i, r)
			}
		}
		for j := range k {
			if s := sumOf(columnProduct(m, []int{j})); s != 0 {
				t.Fatalf("k=%d: column %d unbalanced", k, j)
			}
		}
	}
	out, err := doeRun(t, generateDesignDef(), `{"factors": `+genFactorsJSON(2)+`, "design_type": "box_behnken"}`)
	if errcode.Of(err) != errcode.ToolError || out != nil {
		t.Errorf("Box–Behnken with 2 factors: %v", err)
	}
}

func TestConferenceMatrices(t *testing.T) {
	t.Parallel()
	for m := 4; m <= 16; m += 2 {
		c := conferenceMatrix(m)
		for i := range m {
			for j := range m {
				if (i == j) != (c[i][j] == 0) || (i != j && math.Abs(c[i][j]) != 1) {
					t.Fatalf("order %d: C[%d][%d] = %v", m, i, j, c[i][j])
				}
				dot := 0.0
				for r := range m {
					dot += c[r][i] * c[r][j]
				}
				want := 0.0
				if i == j {
					want = float64(m - 1)
				}
				if dot != want {
					t.Fatalf("order %d: (CᵀC)[%d][%d] = %v, want %v", m, i, j, dot, want)
				}
			}
		}
	}
	// The cyclic fallback is kept for other orders and is not one.
	if c := cyclicConference(18); c[0][0] != 0 || c[0][1] != 1 {
		t.Errorf("cyclic fallback %v", c[0][:3])
	}
}

func TestDSDProperties(t *testing.T) {
	t.Parallel()
	for k := 3; k <= 15; k++ {
		m := dsdMatrix(k)
		mm := k + k%2
		if len(m) != 2*mm+1 {
			t.Fatalf("k=%d: %d runs", k, len(m))
		}
		// Foldover pairs: run i + m is −run i; the last run is the centre.
		for i := range mm {
			for j := range k {
				if m[i+mm][j] != -m[i][j] {
					t.Fatalf("k=%d: run %d is not the foldover of run %d", k, i+mm, i)
				}
			}
		}
		for j := range k {
			for l := j + 1; l < k; l++ {
				if s := sumOf(columnProduct(m, []int{j, l})); s != 0 {
					t.Fatalf("k=%d: main effects %d and %d not orthogonal (%v)", k, j, l, s)
				}
			}
		}
	}
}

func TestMixtureProperties(t *testing.T) {
	t.Parallel()
	for k := 2; k <= 10; k++ {
		for _, lattice := range []bool{false, true} {
			m := mixtureMatrix(k, 1, lattice)
			want := 1<<k - 1
			if lattice {
				want = k + k*(k-1)/2
			}
			if len(m) != want {
				t.Fatalf("k=%d lattice=%v: %d points, want %d", k, lattice, len(m), want)
			}
			seen := map[string]bool{}
			for _, r := range m {
				if s := sumOf(r); math.Abs(s-1) > 1e-12 {
					t.Fatalf("k=%d: point %v sums to %v", k, r, s)
				}
				seen[fmt.Sprint(r)] = true
			}
			if len(seen) != len(m) {
				t.Fatalf("k=%d: repeated points", k)
			}
			if lattice && !slices.IsSortedFunc(m, func(a, b []float64) int { return slices.Compare(a, b) }) {
				t.Fatalf("k=%d: lattice not in product order", k)
			}
		}
	}
}

// TestTaguchiArrays: every array is a strength-2 orthogonal array with the
// level counts it claims (each pair of columns holds every pair of levels
// equally often).
func TestTaguchiArrays(t *testing.T) {
	t.Parallel()
	for _, a := range taguchiArrays {
		rows := a.build()
		n := len(rows)
		if !strings.HasPrefix(a.name, fmt.Sprintf("L%d(", n)) {
			t.Errorf("%s has %d runs", a.name, n)
		}
		for _, r := range rows {
			if len(r) != len(a.levels) {
				t.Fatalf("%s: a run of %d columns", a.name, len(r))
			}
		}
		for c1, s1 := range a.levels {
			for c2 := c1 + 1; c2 < len(a.levels); c2++ {
				s2 := a.levels[c2]
				count := map[[2]int]int{}
				for _, r := range rows {
					if r[c1] < 0 || r[c1] >= s1 || r[c2] < 0 || r[c2] >= s2 {
						t.Fatalf("%s: symbol out of range in columns %d, %d", a.name, c1, c2)
					}
					count[[2]int{r[c1], r[c2]}]++
				}
				for x := range s1 {
					for y := range s2 {
						if count[[2]int{x, y}] != n/(s1*s2) {
							t.Fatalf("%s: columns %d, %d hold (%d, %d) %d times", a.name, c1, c2, x, y, count[[2]int{x, y}])
						}
					}
				}
			}
		}
	}
}

func TestTaguchiChoice(t *testing.T) {
	t.Parallel()
	rep := func(l, n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = l
		}
		return out
	}
	for _, tc := range []struct {
		levels []int
		array  string
	}{
		{rep(2, 1), "L4(2^3)"}, {rep(2, 3), "L4(2^3)"}, {rep(2, 4), "L8(2^7)"}, {rep(2, 7), "L8(2^7)"},
		{rep(2, 8), "L12(2^11)"}, {rep(2, 11), "L12(2^11)"}, {rep(2, 12), "L16(2^15)"}, {rep(2, 15), "L16(2^15)"},
		{rep(3, 3), "L9(3^4)"}, {[]int{3, 2, 2, 2}, "L9(3^4)"}, {rep(4, 5), "L16(4^5)"}, {append([]int{6}, rep(3, 6)...), "L18(6^1 3^6)"},
		{[]int{5, 3, 2}, "L18(6^1 3^6)"}, {rep(5, 6), "L25(5^6)"}, {rep(3, 13), "L27(3^13)"}, {rep(4, 9), "L32(2^1 4^9)"},
		{rep(3, 15), "L54(2^1 3^25)"}, {append(rep(2, 3), rep(3, 12)...), "L36(2^11 3^12)"}, {append(rep(5, 11), 2), "L50(2^1 5^11)"},
		{rep(4, 15), "L64(4^21)"},
	} {
		p, ok := chooseTaguchi(tc.levels)
		if !ok || p.array.name != tc.array {
			t.Errorf("levels %v: %q (%v), want %s", tc.levels, p.array.name, ok, tc.array)
			continue
		}
		used := map[int]bool{}
		for f, c := range p.columns {
			if used[c] || p.array.levels[c] < tc.levels[f] {
				t.Errorf("levels %v: factor %d on column %d of %d levels", tc.levels, f, c, p.array.levels[c])
			}
			used[c] = true
		}
	}
	for _, levels := range [][]int{{7}, append(rep(5, 13), 2), {6, 6}} {
		if p, ok := chooseTaguchi(levels); ok {
			t.Errorf("levels %v fit %s", levels, p.array.name)
		}
	}
}

// TestTaguchiDesigns: the tool's Taguchi designs keep every factor's
// levels balanced, and categorical factors report their levels.
func TestTaguchiDesigns(t *testing.T) {
	t.Parallel()
	for k := 1; k <= 15; k++ {
		out, err := doeRun(t, generateDesignDef(), fmt.Sprintf(`{"factors": %s, "design_type": "taguchi", "center_points": 0}`, genFactorsJSON(k)))
		if err != nil {
			t.Fatal(err)
		}
		rows := codedRows(t, out)
		checkOrthogonalTwoLevel(t, fmt.Sprintf("taguchi k=%d", k), rows)
	}
	in := `{"factors": [{"name": "Catalyst", "type": "categorical", "levels": ["X", "Y", "Z"]}, {"name": "T", "low": 10, "high": 20}], "design_type": "taguchi"}`
	out, err := doeRun(t, generateDesignDef(), in)
	if err != nil {
		t.Fatal(err)
	}
	if n := out["n_runs"].(float64); n != 9 {
		t.Fatalf("%v runs; a categorical factor gets no centre points", n)
	}
	count := map[string]int{}
	coded, actual := out["design_coded"].([]any), out["design_actual"].([]any)
	for i := range coded {
		c := coded[i].(map[string]any)
		a := actual[i].(map[string]any)
		idx := int(c["Catalyst"].(float64))
		if want := []string{"X", "Y", "Z"}[idx]; a["Catalyst"] != want {
			t.Fatalf("run %d: coded %d, actual %v", i, idx, a["Catalyst"])
		}
		count[a["Catalyst"].(string)]++
		if tv := a["T"].(float64); tv != 10 && tv != 20 {
			t.Fatalf("run %d: T = %v", i, tv)
		}
	}
	if count["X"] != 3 || count["Y"] != 3 || count["Z"] != 3 {
		t.Errorf("levels %v", count)
	}
}

// TestOptimalDesigns: the same seed gives the same design; the exchange
// finds the full factorial, which is D-, A- and I-optimal for the
// interactions model on 2^k runs; other seeds give valid designs.
func TestOptimalDesigns(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"d_optimal", "a_optimal", "i_optimal"} {
		in := fmt.Sprintf(`{"factors": %s, "design_type": %q, "budget": 8}`, genFactorsJSON(3), kind)
		a, err := doeRun(t, generateDesignDef(), in)
		if err != nil {
			t.Fatal(err)
		}
		b, err := doeRun(t, generateDesignDef(), in)
		if err != nil {
			t.Fatal(err)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%s: two calls with one seed differ", kind)
		}
		rows := codedRows(t, a)
		seen := map[string]bool{}
		for _, r := range rows {
			seen[fmt.Sprint(r)] = true
		}
		if len(rows) != 8 || len(seen) != 8 {
			t.Fatalf("%s: %d runs, %d distinct", kind, len(rows), len(seen))
		}
		checkOrthogonalTwoLevel(t, kind, rows)
	}
	for _, seed := range []int{0, 7, 12345} {
		x, err := exchangeDesign(context.Background(), 5, 20, xchD, uint64(seed))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := exchangeDesign(context.Background(), 5, 20, xchD, uint64(seed))
		if !slices.EqualFunc(x, y, func(a, b []float64) bool { return slices.Equal(a, b) }) {
			t.Errorf("seed %d: not reproducible", seed)
		}
		s := &xchState{x: x, model: newXchModel(5, true), crit: xchD}
		if !s.refresh() {
			t.Fatalf("seed %d: singular design", seed)
		}
		if eff := 100 * math.Exp(-s.val/16) / 20; eff < 80 {
			t.Errorf("seed %d: D-efficiency %v of a 20-run design for 16 terms", seed, eff)
		}
	}
}

// TestOptimalImproves: the exchange never worsens the random start.
func TestOptimalImproves(t *testing.T) {
	t.Parallel()
	for _, crit := range []xchCriterion{xchD, xchA, xchI} {
		model := newXchModel(4, true)
		x, s, ok := xchRandomStart(stats.NewNumpyGenerator(3), model, crit, 14)
		if !ok {
			t.Fatal("no start")
		}
		start := s.val
		final := s.improve(context.Background(), 1e9)
		check := &xchState{x: x, model: model, crit: crit}
		if crit == xchI {
			check.w = model.momentsDiagonal()
		}
		if !check.refresh() || math.Abs(check.val-final) > 1e-9*math.Max(1, math.Abs(final)) {
			t.Errorf("criterion %d: tracked value %v, recomputed %v", crit, final, check.val)
		}
		if final > start {
			t.Errorf("criterion %d: %v worse than the start %v", crit, final, start)
		}
	}
}

func TestGenerateActualValues(t *testing.T) {
	t.Parallel()
	lo, hi := 0.1, 0.7
	f := genFactor{kind: "continuous", low: lo, high: hi}
	// numpy, one rounding per operation: coded·(0.5·(high − low)) + (low + high)/2.
	half, center := 0.5*(hi-lo), (lo+hi)/2
	for _, c := range []float64{-1, 0, 1, 1.4142135623730951} {
		prod := c * half
		want := prod + center
		if got := toActual(c, f); got != want {
			t.Errorf("toActual(%v) = %v, want %v", c, got, want)
		}
	}
}

func TestGenerateInvalid(t *testing.T) {
	t.Parallel()
	two := genFactorsJSON(2)
	for _, tc := range []struct {
		name, input string
		code        errcode.Code
	}{
		{"16 factors", `{"factors": ` + genFactorsJSON(16) + `}`, errcode.InputTooLarge},
		{"51 centre points", `{"factors": ` + two + `, "center_points": 51}`, errcode.InputTooLarge},
		{"51 replicates", `{"factors": ` + two + `, "replicates": 51}`, errcode.InputTooLarge},
		{"both centre-point names differ", `{"factors": ` + two + `, "center_points": 1, "n_center_points": 2}`, errcode.InputInvalid},
		{"low not below high", `{"factors": [{"name": "A", "low": 1, "high": 1}]}`, errcode.InputInvalid},
		{"continuous without bounds", `{"factors": [{"name": "A"}]}`, errcode.InputInvalid},
		{"categorical with one level", `{"factors": [{"name": "A", "type": "categorical", "levels": ["x"]}]}`, errcode.InputInvalid},
		{"categorical with a repeated level", `{"factors": [{"name": "A", "type": "categorical", "levels": [1, 1.0]}]}`, errcode.InputInvalid},
		{"duplicate names", `{"factors": [{"name": "A", "low": 0, "high": 1}, {"name": "A", "low": 0, "high": 1}]}`, errcode.InputInvalid},
		{"RunOrder", `{"factors": [{"name": "RunOrder", "low": 0, "high": 1}]}`, errcode.InputInvalid},
		{"no factors", `{"factors": []}`, errcode.InputInvalid},
		{"fractional resolution", `{"factors": ` + two + `, "resolution": 4.5}`, errcode.InputInvalid},
		{"negative seed", `{"factors": ` + two + `, "random_seed": -1}`, errcode.InputInvalid},
		{"fractional seed", `{"factors": ` + two + `, "random_seed": 1.5}`, errcode.InputInvalid},
		{"alpha zero", `{"factors": ` + two + `, "design_type": "ccd", "alpha": 0}`, errcode.InputInvalid},
		{"alpha unknown", `{"factors": ` + two + `, "design_type": "ccd", "alpha": "inscribed"}`, errcode.InputInvalid},
		{"generators for a CCD", `{"factors": ` + two + `, "design_type": "ccd", "generators": ["B=AA"]}`, errcode.InputInvalid},
		{"bad generator", `{"factors": ` + genFactorsJSON(4) + `, "generators": ["D=AX"]}`, errcode.InputInvalid},
		{"unknown key", `{"factors": ` + two + `, "blocks": 2}`, errcode.InputInvalid},
		{"categorical in a factorial", `{"factors": [{"name": "A", "type": "categorical", "levels": ["x", "y"]}], "design_type": "full_factorial"}`, errcode.ToolError},
		{"DSD of 2 factors", `{"factors": ` + two + `, "design_type": "dsd"}`, errcode.ToolError},
		{"CCD of 1 factor", `{"factors": ` + genFactorsJSON(1) + `, "design_type": "ccd"}`, errcode.ToolError},
		{"mixture of 1 component", `{"factors": [{"name": "A", "type": "mixture"}]}`, errcode.ToolError},
		{"taguchi of a 7-level factor", `{"factors": [{"name": "A", "type": "categorical", "levels": [1, 2, 3, 4, 5, 6, 7]}], "design_type": "taguchi"}`, errcode.ToolError},
		{"too many values", `{"factors": ` + genFactorsJSON(15) + `, "design_type": "full_factorial", "replicates": 40}`, errcode.ToolError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := doeRun(t, generateDesignDef(), tc.input)
			if errcode.Of(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
}

func TestGenerateAutoSelect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		k      int
		budget string
		want   string
	}{
		{3, ``, "full_factorial"}, {5, `, "budget": 32`, "full_factorial"}, {5, `, "budget": 31`, "fractional_factorial"},
		{6, ``, "fractional_factorial"}, {6, `, "budget": 13`, "plackett_burman"}, {6, `, "budget": 20`, "d_optimal"},
		{4, `, "budget": 7`, "d_optimal"},
	} {
		out, err := doeRun(t, generateDesignDef(), fmt.Sprintf(`{"factors": %s%s}`, genFactorsJSON(tc.k), tc.budget))
		if err != nil {
			t.Fatal(err)
		}
		if got := out["design_type"]; got != tc.want {
			t.Errorf("k=%d%s: %v, want %s", tc.k, tc.budget, got, tc.want)
		}
	}
	out, err := doeRun(t, generateDesignDef(), `{"factors": [{"name": "A", "type": "mixture"}, {"name": "B", "type": "mixture"}]}`)
	if err != nil || out["design_type"] != "mixture" {
		t.Errorf("all-mixture factors: %v %v", out["design_type"], err)
	}
}
