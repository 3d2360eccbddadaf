package experiments

import (
	"encoding/json"
	"testing"
)

// FuzzDOEKnowledge: no accepted input panics, errors are typed, results
// encode (vizFuzzRun, visualize_fuzz_test.go).
func FuzzDOEKnowledge(f *testing.F) {
	f.Add("resolution", uint8(8), uint8(7), uint8(20), uint8(1))
	f.Add("Box-Behnken vs. CCD?? ÉTÉ_", uint8(2), uint8(0), uint8(0), uint8(2))
	f.Add("", uint8(0), uint8(6), uint8(255), uint8(3))
	topics := []string{"design_selection", "design_properties", "design_types", "analysis_methods", "interpretation", "troubleshooting",
		"diagnostics", "optimization", "statistical_concepts", "screening", "response_surface", "worked_examples", ""}
	d := doeKnowledgeDef()
	f.Fuzz(func(t *testing.T, query string, topic, n, budget, level uint8) {
		in := map[string]any{"query": query, "topic": topics[int(topic)%len(topics)],
			"detail_level": []string{"novice", "intermediate", "expert"}[level%3]}
		if n%2 == 0 {
			in["context"] = map[string]any{"n_factors": int(n%40) + 1, "budget": int(budget) + 1,
				"goal":       []string{"screening", "optimization", "characterization", "robustness"}[n%4],
				"sequential": n%3 == 0, "curvature_important": budget%2 == 0, "has_hard_to_change": n%5 == 0}
		}
		input, err := json.Marshal(in)
		if err != nil {
			t.Skip()
		}
		vizFuzzRun(t, d, input)
	})
}
