package experiments

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/toolq/toolq/tools/tool"
)

// The golden cases of seed-spec §6.4 for generate_design, evaluate_design
// and augment_design, one file per tool in testdata/. Each case gives the
// input, the values the seed produced (a subset of the output, compared
// recursively) and where it applies the base design the randomised rows
// must come from. Cases marked deviation hold this port's value where it
// deliberately differs from the seed; their source says what the seed did.

type doeGoldenCase struct {
	Name                string          `json:"name"`
	Source              string          `json:"source"`
	Deviation           bool            `json:"deviation"`
	Tolerance           float64         `json:"tolerance"`
	Input               json.RawMessage `json:"input"`
	Want                map[string]any  `json:"want"`
	WantAbsent          []string        `json:"want_absent"`
	Base                [][]float64     `json:"base"`
	ActualIsCoded       bool            `json:"actual_is_coded"`
	ExplanationContains []string        `json:"explanation_contains"`
}

func loadDoeGolden(t *testing.T, file string, minCases int) []doeGoldenCase {
	t.Helper()
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var cases []doeGoldenCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < minCases {
		t.Fatalf("%s has %d cases, want at least %d", file, len(cases), minCases)
	}
	return cases
}

// doeRun runs a tool as the registry does after validation: Check, Run and
// tool.Marshal; the result is decoded back into maps and float64s.
func doeRun(t testing.TB, def *tool.Def, input string) (map[string]any, error) {
	t.Helper()
	if err := def.Check(json.RawMessage(input)); err != nil {
		return nil, err
	}
	v, err := def.Run(context.Background(), json.RawMessage(input))
	if err != nil {
		return nil, err
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatalf("cannot encode the result: %v", err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("result %s: %v", b, err)
	}
	return out, nil
}

// doeMatch compares got with want: objects key by key (want's keys only),
// lists element by element with equal lengths, numbers within
// tol·max(1, |want|), everything else exactly.
func doeMatch(path string, got, want any, tol float64) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %T, want an object", path, got)}
		}
		var errs []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			errs = append(errs, doeMatch(path+"."+k, gv, wv, tol)...)
		}
		return errs
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
		}
		var errs []string
		for i := range w {
			errs = append(errs, doeMatch(fmt.Sprintf("%s[%d]", path, i), g[i], w[i], tol)...)
		}
		return errs
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) {
			return []string{fmt.Sprintf("%s: got %v, want %v (tolerance %g)", path, got, w, tol)}
		}
		return nil
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return []string{fmt.Sprintf("%s: got %v, want %v", path, got, want)}
	}
	return nil
}

func runDoeGolden(t *testing.T, def *tool.Def, file string, minCases int) {
	for _, tc := range loadDoeGolden(t, file, minCases) {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			out, err := doeRun(t, def, string(tc.Input))
			if err != nil {
				t.Fatalf("%v (source: %s)", err, tc.Source)
			}
			tol := tc.Tolerance
			if tol == 0 {
				tol = 1e-9
			}
			for _, e := range doeMatch("result", out, any(tc.Want), tol) {
				t.Errorf("%s (source: %s)", e, tc.Source)
			}
			for _, k := range tc.WantAbsent {
				if _, ok := out[k]; ok {
					t.Errorf("key %s present", k)
				}
			}
			if tc.Base != nil {
				checkBasePermuted(t, out, tc.Base, tc.ActualIsCoded)
			}
			expl, _ := out["explanation"].(string)
			for _, s := range tc.ExplanationContains {
				if !strings.Contains(expl, s) {
					t.Errorf("explanation %q lacks %q", expl, s)
				}
			}
		})
	}
}

// checkBasePermuted: row r of design_coded is base row run_order[r] − 1,
// value for value, in factor order.
func checkBasePermuted(t *testing.T, out map[string]any, base [][]float64, actualIsCoded bool) {
	t.Helper()
	names := out["factor_names"].([]any)
	order := out["run_order"].([]any)
	coded := out["design_coded"].([]any)
	if len(order) != len(base) || len(coded) != len(base) {
		t.Fatalf("%d runs, %d run orders, base of %d", len(coded), len(order), len(base))
	}
	for r, row := range coded {
		src := int(order[r].(float64)) - 1
		m := row.(map[string]any)
		for j, n := range names {
			if got := m[n.(string)].(float64); got != base[src][j] {
				t.Fatalf("run %d (base row %d) %s = %v, want %v", r, src+1, n, got, base[src][j])
			}
		}
	}
	if actualIsCoded {
		if e := doeMatch("design_actual", out["design_actual"], out["design_coded"], 0); e != nil {
			t.Errorf("design_actual differs from design_coded: %v", e)
		}
	}
}

func TestGenerateDesignGolden(t *testing.T) {
	t.Parallel()
	runDoeGolden(t, generateDesignDef(), "generate_design.json", 15)
}

func TestEvaluateDesignGolden(t *testing.T) {
	t.Parallel()
	runDoeGolden(t, evaluateDesignDef(), "evaluate_design.json", 4)
}

func TestAugmentDesignGolden(t *testing.T) {
	t.Parallel()
	runDoeGolden(t, augmentDesignDef(), "augment_design.json", 5)
}
