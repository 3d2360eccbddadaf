package experiments

import (
	"context"
	"encoding/json"
	"testing"
)

// FuzzRecommendStrategy: no accepted input panics, errors are typed, and
// the plan never exceeds the budget.
func FuzzRecommendStrategy(f *testing.F) {
	f.Add(uint8(7), uint16(40), uint8(0), "")
	f.Add(uint8(3), uint16(1), uint8(5), "published and confirmed; no prior data")
	f.Add(uint8(49), uint16(9999), uint8(255), "pilot study data suggests A is key")
	d := recommendStrategyDef()
	f.Fuzz(func(t *testing.T, k uint8, budget uint16, flags uint8, prior string) {
		var factors []map[string]any
		for i := range int(k%52) + 1 {
			fac := map[string]any{"name": string(rune('A'+i%26)) + string(rune('a'+i/26)), "low": 0, "high": 1}
			switch (int(flags) + i) % 5 {
			case 3:
				fac = map[string]any{"name": fac["name"], "type": "categorical", "levels": []any{"x", "y"}}
			case 4:
				if flags%2 == 0 {
					fac = map[string]any{"name": fac["name"], "type": "mixture"}
				}
			}
			factors = append(factors, fac)
		}
		in := map[string]any{"factors": factors, "prior_knowledge": prior,
			"domain":       strategyDomainNames[int(flags)%len(strategyDomainNames)],
			"detail_level": []string{"novice", "intermediate"}[flags%2]}
		if budget > 0 {
			in["budget"] = int(budget)
		}
		if flags%3 == 0 {
			in["responses"] = []any{map[string]any{"name": "y"}}
		}
		if flags%7 == 0 {
			in["constraints"] = []any{map[string]any{"expression": "A + B <= 1"}}
		}
		if flags%4 == 1 {
			in["hard_to_change_factors"] = []any{"Aa"}
		}
		input, err := json.Marshal(in)
		if err != nil {
			t.Skip()
		}
		vizFuzzRun(t, d, input)
		if out, err := d.Run(context.Background(), input); err == nil && budget > 0 {
			if r := out.(strategyResult); r.TotalEstimatedRuns > int(budget) {
				t.Fatalf("%d runs over a budget of %d", r.TotalEstimatedRuns, budget)
			}
		}
	})
}
