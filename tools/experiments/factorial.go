package experiments

import (
	"context"
	_ "embed"
	"encoding/json"

	"github.com/toolq/toolq/tools/tool"
)

// The create_factorial_design tool: the seed's experiments/tools.py
// create_factorial_design over designs_factorial.full_factorial (seed-spec
// §2.3, tool 21).

//go:embed schemas/create_factorial_design.json
var factorialSchema []byte

// Bounds on the number of factors: the seed's schema (2 to 10). The
// registry's scalar cap on n_factors (15) refuses larger values first, as
// input_too_large.
const (
	minFactors = 2
	maxFactors = 10
)

// codedSuffix follows every factor name in the output, as in the seed.
const codedSuffix = " [coded]"

func createFactorialDesignDef() tool.Def {
	return tool.Def{
		Name:     "create_factorial_design",
		Category: Category,
		Example:  `{"n_factors": 3, "factor_names": ["temperature", "pressure", "time"]}`,
		Description: "Create a two-level full factorial design: every combination of k factors at their coded levels −1 and +1, " +
			"2^k runs. Input: n_factors (k, from 2 to 10) and factor_names (optional: exactly k distinct names; by default " +
			"A, B, C, … skipping I, so nine factors are A–H and J). Runs are in Yates standard order: the first factor " +
			"alternates fastest (−1, +1, −1, +1, …), the second in pairs, and so on; the design is neither randomised nor " +
			"given centre points. Output: design (one object per run, mapping \"<name> [coded]\" to −1.0 or +1.0), n_runs (2^k), " +
			"n_factors and factor_names (the names with the \" [coded]\" suffix, in column order). " +
			"Difference from the seed: factor_names must have exactly n_factors distinct entries (the seed silently dropped " +
			"extra names and, given too few, dropped factors).",
		Schema: factorialSchema,
		Check: func(input json.RawMessage) error {
			_, err := decodeFactorial(input)
			return err
		},
		Run: runCreateFactorialDesign,
	}
}

type factorialInput struct {
	// NFactors is a float64 because JSON Schema's integer admits 3.0.
	NFactors    float64  `json:"n_factors"`
	FactorNames []string `json:"factor_names"`
}

// decodeFactorial decodes the input and returns the factor names, given or
// default.
func decodeFactorial(input json.RawMessage) ([]string, error) {
	var in factorialInput
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	k, err := wholeNumber("n_factors", in.NFactors, minFactors, maxFactors)
	if err != nil {
		return nil, err
	}
	if in.FactorNames == nil {
		return factorLetters(k), nil
	}
	if len(in.FactorNames) != k {
		return nil, tool.Invalidf("factor_names has %d names; n_factors is %d", len(in.FactorNames), k).
			With("key", "factor_names").With("observed", len(in.FactorNames)).With("n_factors", k)
	}
	seen := make(map[string]bool, k)
	for _, name := range in.FactorNames {
		if name == "" {
			return nil, tool.Invalidf("factor_names has an empty name").With("key", "factor_names")
		}
		if seen[name] {
			return nil, tool.Invalidf("factor_names has %q twice", name).With("key", "factor_names")
		}
		seen[name] = true
	}
	return in.FactorNames, nil
}

// factorLetters returns the seed's default names (create_names): A, B, C, …
// without I, which reads as the identity column of a design.
func factorLetters(k int) []string {
	names := make([]string, 0, k)
	for c := 'A'; len(names) < k && c <= 'Z'; c++ {
		if c != 'I' {
			names = append(names, string(c))
		}
	}
	return names
}

type factorialOutput struct {
	Design      doeTable `json:"design"` // one object per run, keys in factor order
	NRuns       int      `json:"n_runs"`
	NFactors    int      `json:"n_factors"`
	FactorNames []string `json:"factor_names"`
}

func runCreateFactorialDesign(_ context.Context, input json.RawMessage) (any, error) {
	names, err := decodeFactorial(input)
	if err != nil {
		return nil, err
	}
	k := len(names)
	columns := make([]string, k)
	for j, name := range names {
		columns[j] = name + codedSuffix
	}
	return factorialOutput{
		Design:      doeTable{names: columns, rows: fullFactorial(k)},
		NRuns:       1 << k,
		NFactors:    k,
		FactorNames: columns,
	}, nil
}

// fullFactorial returns the 2^k runs in Yates order: in run r, factor j is
// at +1 when bit j of r is set and at −1 otherwise, so the first factor
// alternates fastest.
func fullFactorial(k int) [][]float64 {
	runs := make([][]float64, 1<<k)
	for r := range runs {
		level := make([]float64, k)
		for j := range level {
			level[j] = -1
			if r>>j&1 == 1 {
				level[j] = 1
			}
		}
		runs[r] = level
	}
	return runs
}
