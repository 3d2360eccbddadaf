package experiments

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

func augRun(t *testing.T, input string) map[string]any {
	t.Helper()
	out, err := doeRun(t, augmentDesignDef(), input)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// augRows reads a list of runs in the given column order.
func augRows(t *testing.T, v any, names []string) [][]float64 {
	t.Helper()
	var rows [][]float64
	for _, r := range v.([]any) {
		m := r.(map[string]any)
		row := make([]float64, len(names))
		for j, n := range names {
			row[j] = m[n].(float64)
		}
		rows = append(rows, row)
	}
	return rows
}

// rawResult runs a tool and returns the encoded result, to look at how the
// numbers are written.
func rawResult(t *testing.T, input string) string {
	t.Helper()
	def := augmentDesignDef()
	if err := def.Check([]byte(input)); err != nil {
		t.Fatal(err)
	}
	v, err := def.Run(t.Context(), []byte(input))
	if err != nil {
		t.Fatal(err)
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var halfFractionC = `[{"A": -1, "B": -1, "C": 1}, {"A": 1, "B": -1, "C": -1}, {"A": -1, "B": 1, "C": -1}, {"A": 1, "B": 1, "C": 1}]`

func TestAugmentFoldover(t *testing.T) {
	t.Parallel()
	in := `{"existing_design": ` + halfFractionC + `, "augmentation_type": "foldover"}`
	out := augRun(t, in)
	names := []string{"A", "B", "C"}
	before := augRows(t, out["augmented_design"], names)[:4]
	folded := augRows(t, out["new_runs"], names)
	for i := range before {
		for j := range names {
			if folded[i][j] != -before[i][j] {
				t.Fatalf("run %d not folded: %v vs %v", i, folded[i], before[i])
			}
		}
	}
	if out["defining_relation"] != nil {
		t.Errorf("defining_relation %v without generators", out["defining_relation"])
	}
	// Integer columns stay integers, as pandas keeps int64.
	if raw := rawResult(t, in); !strings.Contains(raw, `{"A":1,"B":1,"C":-1}`) {
		t.Errorf("integers not kept: %.200s", raw)
	}
	// Float columns fold 0.0 to -0.0, as numpy negates.
	raw := rawResult(t, `{"existing_design": [{"A": 0.0, "B": 1.0}, {"A": 1.0, "B": -1.0}], "augmentation_type": "foldover"}`)
	if !strings.Contains(raw, `"new_runs":[{"A":-0.0,"B":-1.0}`) {
		t.Errorf("float foldover: %.300s", raw)
	}
	// Foldover of a resolution-IV 2^(4−1): the even word survives.
	out = augRun(t, `{"existing_design": [{"A":-1,"B":-1,"C":-1,"D":-1},{"A":1,"B":1,"C":-1,"D":-1}], "augmentation_type": "foldover", "generators": ["D=ABC"]}`)
	if fmt.Sprint(out["defining_relation"]) != "[I=ABCD]" || !strings.Contains(out["explanation"].(string), "New defining relation: I=ABCD.") {
		t.Errorf("even word: %v / %v", out["defining_relation"], out["explanation"])
	}
}

func TestAugmentSemifold(t *testing.T) {
	t.Parallel()
	p, err := doeParseGenerators([]string{"D=AB", "E=AC"}, []string{"A", "B", "C", "D", "E"})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"A", "B", "C", "D", "E"}
	design := designJSON(names, p.matrix())
	// A is in both shortest words (ABD, ACE): the automatic choice.
	out := augRun(t, `{"existing_design": `+design+`, "augmentation_type": "semifold", "generators": ["D=AB", "E=AC"]}`)
	if out["fold_on"] != "A" {
		t.Errorf("fold_on %v", out["fold_on"])
	}
	if fmt.Sprint(out["defining_relation"]) != "[I=BCDE]" {
		t.Errorf("surviving words %v", out["defining_relation"])
	}
	newRuns := augRows(t, out["new_runs"], names)
	if len(newRuns) != 4 {
		t.Fatalf("%d new runs", len(newRuns))
	}
	for _, r := range newRuns {
		if r[0] != 1 {
			t.Errorf("new run %v: A not folded to +1", r)
		}
	}
	expl := out["explanation"].(string)
	for _, want := range []string{"Folded on factor: A.", "Surviving defining words: I=BCDE.", "De-aliased by removing words: ABD, ACE."} {
		if !strings.Contains(expl, want) {
			t.Errorf("explanation lacks %q: %s", want, expl)
		}
	}
	out = augRun(t, `{"existing_design": `+design+`, "augmentation_type": "semifold", "fold_on": "C"}`)
	if out["fold_on"] != "C" || len(out["new_runs"].([]any)) != 4 {
		t.Errorf("fold_on C: %v, %d runs", out["fold_on"], len(out["new_runs"].([]any)))
	}
}

func TestAugmentCentreReplicateUpgrade(t *testing.T) {
	t.Parallel()
	ff2 := designJSON([]string{"A", "B"}, ff2Rows)
	out := augRun(t, `{"existing_design": `+ff2+`, "augmentation_type": "add_center_points"}`)
	if out["n_runs_after"] != 7.0 {
		t.Errorf("default centre points: %v runs", out["n_runs_after"])
	}
	out = augRun(t, `{"existing_design": `+ff2+`, "augmentation_type": "replicate", "n_additional_runs": 2}`)
	if out["n_runs_after"] != 12.0 || len(out["new_runs"].([]any)) != 8 {
		t.Errorf("replicate: %v runs", out["n_runs_after"])
	}
	if !strings.Contains(out["explanation"].(string), "Added 2 complete replicate(s) of the original 4-run design.") {
		t.Errorf("explanation %s", out["explanation"])
	}
	// Two existing centre runs: 2k axial points and max(3, 5 − 2) − 2 = 1 centre run.
	rows := append([][]float64{{0, 0}, {0, 0}}, ff2Rows...)
	out = augRun(t, `{"existing_design": `+designJSON([]string{"A", "B"}, rows)+`, "augmentation_type": "upgrade_to_rsm", "alpha": "face_centered"}`)
	if out["n_runs_after"] != 11.0 || out["alpha"] != 1.0 {
		t.Errorf("upgrade: %v runs, alpha %v", out["n_runs_after"], out["alpha"])
	}
	expl := out["explanation"].(string)
	for _, want := range []string{"Added 4 axial points and 1 center point(s).", "Existing 2 center point(s) were preserved.", "alpha = 1.0000."} {
		if !strings.Contains(expl, want) {
			t.Errorf("explanation lacks %q: %s", want, expl)
		}
	}
	// Axial points: +α then −α for each factor; the rotatable α uses the
	// four non-centre runs only.
	out = augRun(t, `{"existing_design": `+designJSON([]string{"A", "B"}, rows)+`, "augmentation_type": "add_axial_points"}`)
	star := augRows(t, out["new_runs"], []string{"A", "B"})
	a := math.Sqrt(2)
	if fmt.Sprint(star) != fmt.Sprint([][]float64{{a, 0}, {-a, 0}, {0, a}, {0, -a}}) {
		t.Errorf("star points %v", star)
	}
}

func TestAugmentBlocks(t *testing.T) {
	t.Parallel()
	ff4 := ff2n(4)
	names := []string{"A", "B", "C", "D"}
	for _, tc := range []struct {
		n     int
		words string
		want  int
	}{{4, "[ABCD ABC]", 4}, {3, "[ABCD ABC]", 4}, {5, "[ABCD ABC ABD]", 8}} {
		out := augRun(t, fmt.Sprintf(`{"existing_design": %s, "augmentation_type": "add_blocks", "n_additional_runs": %d}`, designJSON(names, ff4), tc.n))
		if fmt.Sprint(out["confounded_with"]) != tc.words || out["n_blocks"] != float64(tc.want) {
			t.Errorf("n=%d: %v, %v blocks", tc.n, out["confounded_with"], out["n_blocks"])
		}
		count := map[float64]int{}
		for _, r := range out["augmented_design"].([]any) {
			count[r.(map[string]any)["Block"].(float64)]++
		}
		if len(count) != tc.want {
			t.Errorf("n=%d: blocks %v", tc.n, count)
		}
		for b, c := range count {
			if c != 16/tc.want {
				t.Errorf("n=%d: block %v has %d runs", tc.n, b, c)
			}
		}
		if _, ok := out["before_metrics"]; ok {
			t.Error("add_blocks reports metrics")
		}
	}
	_, err := doeRun(t, augmentDesignDef(), `{"existing_design": `+designJSON([]string{"A", "B"}, ff2Rows)+`, "augmentation_type": "add_blocks", "n_additional_runs": 4}`)
	if errcode.Of(err) != errcode.ToolError {
		t.Errorf("4 blocks from 2 factors: %v", err)
	}
}

// TestAugmentOptimalChoosesMaxDeterminant: each added run is the candidate
// with the largest det(XᵀX), checked by brute force.
func TestAugmentOptimalChoosesMaxDeterminant(t *testing.T) {
	t.Parallel()
	names := []string{"A", "B"}
	existing := [][]float64{{-1, -1}, {1, -1}, {0.5, 1}, {0, 0.25}, {-0.5, 0.5}}
	out := augRun(t, `{"existing_design": `+designJSON(names, existing)+`, "augmentation_type": "add_runs_optimal", "n_additional_runs": 3, "target_model": "quadratic"}`)
	added := augRows(t, out["new_runs"], names)
	if len(added) != 3 {
		t.Fatalf("%d runs added", len(added))
	}
	current := existing
	for _, pick := range added {
		best, bestDet := []float64(nil), math.Inf(-1)
		for c := range 9 {
			cand := []float64{float64(c%3) - 1, float64(c/3) - 1}
			dup := false
			for _, r := range current {
				dup = dup || (r[0] == cand[0] && r[1] == cand[1])
			}
			if dup {
				continue
			}
			d, err := doeBuild(names, append(current, cand), doeModelRHS(names, "quadratic"))
			if err != nil {
				t.Fatal(err)
			}
			var lu mat.LU
			lu.Factorize(doeXtX(d.X))
			ld, sign := lu.LogDet()
			if sign > 0 && ld > bestDet+1e-9 {
				best, bestDet = cand, ld
			}
		}
		if fmt.Sprint(best) != fmt.Sprint(pick) {
			t.Fatalf("picked %v, the largest determinant is at %v", pick, best)
		}
		current = append(current, pick)
	}
	// Too large a search is refused rather than left to time out.
	wide := make([]string, 12)
	for i := range wide {
		wide[i] = fmt.Sprintf("x%d", i)
	}
	_, err := doeRun(t, augmentDesignDef(), `{"existing_design": `+designJSON(wide, [][]float64{make([]float64, 12), make([]float64, 12)})+
		`, "augmentation_type": "add_runs_optimal", "n_additional_runs": 50}`)
	if errcode.Of(err) != errcode.ToolError || !strings.Contains(err.Error(), "operations") {
		t.Errorf("12 factors, 50 runs: %v", err)
	}
}

func TestAugmentInvalid(t *testing.T) {
	t.Parallel()
	ff2 := designJSON([]string{"A", "B"}, ff2Rows)
	big := make([][]float64, 1000)
	for i := range big {
		big[i] = []float64{float64(i), 1}
	}
	for _, tc := range []struct {
		name, input string
		code        errcode.Code
	}{
		{"unknown fold_on", `{"existing_design": ` + ff2 + `, "augmentation_type": "semifold", "fold_on": "Z"}`, errcode.InputInvalid},
		{"optimal without n", `{"existing_design": ` + ff2 + `, "augmentation_type": "add_runs_optimal"}`, errcode.InputInvalid},
		{"one block", `{"existing_design": ` + ff2 + `, "augmentation_type": "add_blocks", "n_additional_runs": 1}`, errcode.InputInvalid},
		{"negative alpha", `{"existing_design": ` + ff2 + `, "augmentation_type": "add_axial_points", "alpha": -1}`, errcode.InputInvalid},
		{"fractional n", `{"existing_design": ` + ff2 + `, "augmentation_type": "replicate", "n_additional_runs": 1.5}`, errcode.InputInvalid},
		{"ragged rows", `{"existing_design": [{"A": 1}, {"B": 1}], "augmentation_type": "foldover"}`, errcode.InputInvalid},
		{"replicated past the cap", `{"existing_design": ` + designJSON([]string{"A", "B"}, big) + `, "augmentation_type": "replicate", "n_additional_runs": 60}`, errcode.ToolError},
		{"no candidates left", `{"existing_design": ` + designJSON([]string{"A"}, [][]float64{{-1}, {0}, {1}}) + `, "augmentation_type": "add_runs_optimal", "n_additional_runs": 1}`, errcode.ToolError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := doeRun(t, augmentDesignDef(), tc.input)
			if errcode.Of(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	_, err := doeRun(t, augmentDesignDef(), `{"existing_design": `+ff2+`, "augmentation_type": "semifold", "fold_on": "Z"}`)
	if err == nil || !strings.HasSuffix(err.Error(), "fold_on='Z' not in factor names: ['A', 'B']") {
		t.Errorf("message %v", err)
	}
}
