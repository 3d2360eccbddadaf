package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// designJSON writes rows as a design_matrix list.
func designJSON(names []string, rows [][]float64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for j, n := range names {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%q:%v", n, r[j])
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.String()
}

func evalRun(t *testing.T, input string) map[string]any {
	t.Helper()
	out, err := doeRun(t, evaluateDesignDef(), input)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// topKeys returns the keys of the encoded result object in order.
func topKeys(t *testing.T, def *tool.Def, input string) []string {
	t.Helper()
	v, err := def.Run(t.Context(), json.RawMessage(input))
	if err != nil {
		t.Fatal(err)
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

var ff2Rows = [][]float64{{-1, -1}, {1, -1}, {-1, 1}, {1, 1}}

func TestEvaluateRankDeficientAndSaturated(t *testing.T) {
	t.Parallel()
	// A quadratic model on a 2²: I(A ** 2) is the intercept again.
	out := evalRun(t, `{"design_matrix": `+designJSON([]string{"A", "B"}, ff2Rows)+`, "model": "quadratic",
		"metric": ["d_efficiency", "g_efficiency", "i_efficiency", "prediction_variance", "vif", "power", "degrees_of_freedom"]}`)
	for _, k := range []string{"d_efficiency", "g_efficiency", "i_efficiency", "prediction_variance", "vif", "power"} {
		if v, ok := out[k]; !ok || v != nil {
			t.Errorf("%s = %v, want null", k, v)
		}
	}
	if out["note"] != noteRankDeficient {
		t.Errorf("note %v", out["note"])
	}
	dof := out["degrees_of_freedom"].(map[string]any)
	if dof["model"] != 5.0 || dof["residual"] != -2.0 {
		t.Errorf("dof %v", dof)
	}
	// The interactions model on a 2² is saturated: no residual df for power.
	out = evalRun(t, `{"design_matrix": `+designJSON([]string{"A", "B"}, ff2Rows)+`, "metric": "power"}`)
	if out["power"] != nil || out["note"] != "No residual degrees of freedom (saturated model)." {
		t.Errorf("saturated power %v", out)
	}
}

// TestEvaluateKeyOrder: metrics merge in the order given; a repeated key
// (note) keeps its first place and takes the last value, as dict.update.
func TestEvaluateKeyOrder(t *testing.T) {
	t.Parallel()
	in := `{"design_matrix": ` + designJSON([]string{"A", "B"}, ff2Rows) + `, "model": "quadratic", "metric": ["d_efficiency", "condition_number", "resolution"]}`
	keys := topKeys(t, evaluateDesignDef(), in)
	if want := []string{"d_efficiency", "note", "condition_number", "resolution", "roman"}; !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if out := evalRun(t, in); out["note"] != "Not a fractional factorial design." {
		t.Errorf("note %v", out["note"])
	}
}

func TestEvaluatePowerCurves(t *testing.T) {
	t.Parallel()
	rows := append(slices.Clone(ff2Rows), ff2Rows...)
	out := evalRun(t, `{"design_matrix": `+designJSON([]string{"A", "B"}, rows)+`, "model": "main_effects", "metric": "power", "sigma": 2}`)
	if out["sigma"] != 2.0 {
		t.Errorf("sigma %v", out["sigma"])
	}
	curves := out["power_curves"].(map[string]any)
	if len(curves) != 2 {
		t.Fatalf("curves for %d terms", len(curves))
	}
	pts := curves["A"].([]any)
	if len(pts) != 20 {
		t.Fatalf("%d points", len(pts))
	}
	prev := 0.0
	for i, p := range pts {
		m := p.(map[string]any)
		es, pw := m["effect_size"].(float64), m["power"].(float64)
		if want := 1 + float64(i)*5.0/19; math.Abs(es-want) > 1e-12 {
			t.Errorf("effect size %d = %v, want %v", i, es, want)
		}
		if pw <= prev || pw > 1 {
			t.Errorf("power %v after %v", pw, prev)
		}
		prev = pw
	}
}

func TestEvaluateDegreesOfFreedom(t *testing.T) {
	t.Parallel()
	// Runs equal after rounding to 10 decimals are replicates.
	rows := [][]float64{{-1, -1}, {1, -1}, {-1, 1}, {1, 1}, {0, 0}, {1e-12, 0}, {0, -0.0}}
	out := evalRun(t, `{"design_matrix": `+designJSON([]string{"A", "B"}, rows)+`, "metric": "degrees_of_freedom"}`)
	dof := out["degrees_of_freedom"].(map[string]any)
	want := map[string]any{"model": 3.0, "residual": 3.0, "total": 6.0, "pure_error": 2.0, "lack_of_fit": 1.0}
	if fmt.Sprint(dof) != fmt.Sprint(want) {
		t.Errorf("dof %v, want %v", dof, want)
	}
	out = evalRun(t, `{"design_matrix": `+designJSON([]string{"A", "B"}, ff2Rows)+`, "metric": "degrees_of_freedom"}`)
	if _, ok := out["degrees_of_freedom"].(map[string]any)["pure_error"]; ok {
		t.Error("pure_error without replicates")
	}
}

// TestEvaluateGenerators: the 2^(5−2) design D = AB, E = AC through the
// GF(2) path.
func TestEvaluateGenerators(t *testing.T) {
	t.Parallel()
	p, err := doeParseGenerators([]string{"D=AB", "E=AC"}, []string{"A", "B", "C", "D", "E"})
	if err != nil {
		t.Fatal(err)
	}
	in := `{"design_matrix": ` + designJSON([]string{"A", "B", "C", "D", "E"}, p.matrix()) + `, "model": "main_effects",
		"generators": ["D=AB", "E=AC"],
		"metric": ["resolution", "defining_relation", "alias_structure", "clear_effects", "minimum_aberration", "confounding"]}`
	out := evalRun(t, in)
	if out["resolution"] != 3.0 || out["roman"] != "III" {
		t.Errorf("resolution %v %v", out["resolution"], out["roman"])
	}
	if got := fmt.Sprint(out["defining_relation"]); got != "[I=ABD I=ACE I=BCDE]" {
		t.Errorf("defining relation %s", got)
	}
	chains := out["alias_structure"].([]any)
	if len(chains) != 15 || chains[0] != "A = BD + CE + ABCDE" || chains[5] != "AB = D + BCE + ACDE" {
		t.Errorf("chains %v", chains)
	}
	clear := out["clear_effects"].(map[string]any)
	// The seed counts an effect as clear when all its aliases have higher
	// order: every main effect here (aliased with two-factor
	// interactions), no two-factor interaction.
	if fmt.Sprint(clear["main_effects"]) != "[A B C D E]" || fmt.Sprint(clear["two_factor_interactions"]) != "[]" {
		t.Errorf("clear effects %v", clear)
	}
	ma := out["minimum_aberration"].(map[string]any)
	if fmt.Sprint(ma["wordlength_pattern"]) != "[2 1]" || fmt.Sprint(ma["wordlength_pattern_labels"]) != "[A_3 A_4]" {
		t.Errorf("minimum aberration %v", ma)
	}
	conf := out["confounding"].([]any)[0].(map[string]any)
	if conf["effect"] != "A" || fmt.Sprint(conf["confounded_with"]) != "[BD CE ABCDE]" {
		t.Errorf("confounding %v", conf)
	}
	// Without generators the library's answers are empty.
	out = evalRun(t, `{"design_matrix": `+designJSON([]string{"A", "B"}, ff2Rows)+`, "metric": ["defining_relation", "minimum_aberration", "confounding"]}`)
	if out["defining_relation"] != nil || out["confounding"] == nil || len(out["confounding"].([]any)) != 0 {
		t.Errorf("no generators: %v", out)
	}
}

// TestEvaluateQuotedNames: names that are not identifiers go into the
// model quoted.
func TestEvaluateQuotedNames(t *testing.T) {
	t.Parallel()
	rows := [][]float64{{-1, -1, 1}, {1, -1, -1}, {-1, 1, -1}, {1, 1, 1}, {0, 0, 0}, {1, 0, -1}}
	out := evalRun(t, `{"design_matrix": `+designJSON([]string{"Temp (C)", "Press", "x y"}, rows)+`, "model": "main_effects", "metric": ["vif"]}`)
	vif := out["vif"].(map[string]any)
	for _, k := range []string{`Q("Temp (C)")`, "Press", `Q("x y")`} {
		if v, ok := vif[k].(float64); !ok || !(v >= 1) {
			t.Errorf("vif[%s] = %v", k, vif[k])
		}
	}
}

func TestEvaluateIgnoresRunOrderAndBlock(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range ff2Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"RunOrder": %d, "A": %v, "Block": 1, "B": %v}`, i+1, r[0], r[1])
	}
	b.WriteByte(']')
	out := evalRun(t, `{"design_matrix": `+b.String()+`, "model": "main_effects", "metric": "vif"}`)
	if fmt.Sprint(out["vif"]) != "map[A:1 B:1]" {
		t.Errorf("vif %v", out["vif"])
	}
}

func TestEvaluateInvalid(t *testing.T) {
	t.Parallel()
	ok := designJSON([]string{"A", "B"}, ff2Rows)
	big := make([][]float64, doeMaxRows+1)
	for i := range big {
		big[i] = []float64{float64(i % 2), float64(i % 3)}
	}
	wide := make([]string, 16)
	for i := range wide {
		wide[i] = fmt.Sprintf("x%d", i)
	}
	wideRow := make([]float64, 16)
	for _, tc := range []struct {
		name, input string
		code        errcode.Code
	}{
		{"different keys", `{"design_matrix": [{"A": 1, "B": 1}, {"A": 1, "C": 1}], "metric": "vif"}`, errcode.InputInvalid},
		{"keys reordered", `{"design_matrix": [{"A": 1, "B": 1}, {"B": 1, "A": 1}], "metric": "vif"}`, errcode.InputInvalid},
		{"missing key", `{"design_matrix": [{"A": 1, "B": 1}, {"A": 1}], "metric": "vif"}`, errcode.InputInvalid},
		{"string value", `{"design_matrix": [{"A": 1}, {"A": "x"}], "metric": "vif"}`, errcode.InputInvalid},
		{"null value", `{"design_matrix": [{"A": 1}, {"A": null}], "metric": "vif"}`, errcode.InputInvalid},
		{"one run", `{"design_matrix": [{"A": 1}], "metric": "vif"}`, errcode.InputInvalid},
		{"only RunOrder", `{"design_matrix": [{"RunOrder": 1}, {"RunOrder": 2}], "metric": "vif"}`, errcode.InputInvalid},
		{"unknown metric", `{"design_matrix": ` + ok + `, "metric": ["vif", "bogus"]}`, errcode.InputInvalid},
		{"empty metric list", `{"design_matrix": ` + ok + `, "metric": []}`, errcode.InputInvalid},
		{"alpha 1", `{"design_matrix": ` + ok + `, "metric": "power", "alpha": 1}`, errcode.InputInvalid},
		{"sigma 0", `{"design_matrix": ` + ok + `, "metric": "power", "sigma": 0}`, errcode.InputInvalid},
		{"unknown key", `{"design_matrix": ` + ok + `, "metric": "vif", "blocks": 2}`, errcode.InputInvalid},
		{"too many runs", `{"design_matrix": ` + designJSON([]string{"A", "B"}, big) + `, "metric": "vif"}`, errcode.InputTooLarge},
		{"too many factors", `{"design_matrix": ` + designJSON(wide, [][]float64{wideRow, wideRow}) + `, "metric": "vif"}`, errcode.InputTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := doeRun(t, evaluateDesignDef(), tc.input)
			if errcode.Of(err) != tc.code {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
		})
	}
	// The message lists the unknown metrics as the seed does.
	_, err := doeRun(t, evaluateDesignDef(), `{"design_matrix": `+ok+`, "metric": ["bogus"]}`)
	if err == nil || !strings.Contains(err.Error(), "Unknown metric(s): ['bogus']. Available metrics: ['a_efficiency', 'alias_structure', ") {
		t.Errorf("message %v", err)
	}
}

func TestEvaluateAEfficiency(t *testing.T) {
	t.Parallel()
	// An orthogonal ±1 design: (XᵀX)⁻¹ = I/N, trace p/N, efficiency 100.
	out := evalRun(t, `{"design_matrix": `+designJSON([]string{"A", "B"}, ff2Rows)+`, "metric": "a_efficiency"}`)
	if a := out["a_efficiency"].(float64); math.Abs(a-100) > 1e-12 {
		t.Errorf("a_efficiency %v, want 100", a)
	}
	// With a centre run: trace((XᵀX)⁻¹) = 1/5 + 3/4.
	rows := append(slices.Clone(ff2Rows), []float64{0, 0})
	out = evalRun(t, `{"design_matrix": `+designJSON([]string{"A", "B"}, rows)+`, "metric": "a_efficiency"}`)
	if a, want := out["a_efficiency"].(float64), 100*4/(5*(0.2+0.75)); math.Abs(a-want) > 1e-12 {
		t.Errorf("a_efficiency %v, want %v", a, want)
	}
}
