package univariate

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"

	"github.com/toolq/toolq/tools/internal/pyfmt"

	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

const groupsLengthMessage = "values and groups must have the same length."

func withinBetweenVarianceDef() tool.Def {
	return tool.Def{
		Name:     "within_between_variance",
		Example:  `{"values": [101, 102, 94, 95], "groups": [1, 1, 2, 2]}`,
		Category: Category,
		Description: "Split the variation of measurements into a within-group and a between-group part (one-way " +
			"analysis of variance), e.g. repeatability within a batch versus variation from batch to batch. " +
			"Input: values (numbers, null = missing; at least 3) and groups, a label per value (strings, numbers or " +
			"booleans; the same length as values). " +
			"Output: total_ms and total_dof (sample variance of all values and its degrees of freedom), within_ms, " +
			"within_stddev and within_dof (pooled variance inside the groups), between_ms, between_stddev and " +
			"between_dof (the remaining sum of squares per remaining degree of freedom). " +
			"Missing values are left out of their group; a group with one value adds no within-group degrees of " +
			"freedom. Mean squares that cannot be formed (no degrees of freedom) are reported as 0, and between_ms " +
			"is never negative. Numeric labels are compared as numbers (1 and 1.0 are the same group); true and " +
			"false are labels of their own, distinct from 1 and 0.",
		Schema: schema("within_between_variance"),
		Check: func(input json.RawMessage) error {
			return sameLength(input, "values", "groups", groupsLengthMessage)
		},
		Run: runWithinBetweenVariance,
	}
}

// groupKey is a group label. JSON labels are strings, numbers or booleans;
// the kind separates them so that "1", 1 and true are three groups.
type groupKey struct {
	kind int // 0 boolean, 1 number, 2 string: the sort order of kinds
	num  float64
	str  string
}

func parseGroupKey(raw json.RawMessage) (groupKey, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&v); err != nil {
		return groupKey{}, err
	}
	switch v := v.(type) {
	case bool:
		k := groupKey{kind: 0}
		if v {
			k.num = 1
		}
		return k, nil
	case float64:
		if v == 0 {
			v = 0 // −0 and 0 are one group
		}
		return groupKey{kind: 1, num: v}, nil
	case string:
		return groupKey{kind: 2, str: v}, nil
	default:
		return groupKey{}, tool.Invalidf("group labels must be strings, numbers or booleans, not %s", raw)
	}
}

// compareGroupKeys orders groups deterministically, as pandas' sorted
// groupby does for labels of one kind: booleans (false, true), then numbers
// ascending, then strings in byte order. Only the order of floating-point
// summation depends on it.
func compareGroupKeys(a, b groupKey) int {
	if c := cmp.Compare(a.kind, b.kind); c != 0 {
		return c
	}
	if c := cmp.Compare(a.num, b.num); c != 0 {
		return c
	}
	return cmp.Compare(a.str, b.str)
}

func runWithinBetweenVariance(_ context.Context, input json.RawMessage) (any, error) {
	if err := sameLength(input, "values", "groups", groupsLengthMessage); err != nil {
		return nil, err
	}
	var in struct {
		Values tool.Vector       `json:"values"`
		Groups []json.RawMessage `json:"groups"`
	}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	x := in.Values.Values()
	members := map[groupKey][]float64{}
	var keys []groupKey
	for i, raw := range in.Groups {
		k, err := parseGroupKey(raw)
		if err != nil {
			return nil, err
		}
		if _, seen := members[k]; !seen {
			keys = append(keys, k)
			members[k] = nil
		}
		if !math.IsNaN(x[i]) {
			members[k] = append(members[k], x[i])
		}
	}
	n := stats.Count(x)
	if n == 0 {
		return nil, noValues("values")
	}
	slices.SortFunc(keys, compareGroupKeys)

	// The seed's variance_decomposition. Python's max(0, nan) is 0, so a
	// single value gives a total mean square of 0, not NaN.
	totalMS := nonNegative(stats.NanVar(x, 1))
	totalDOF := max(0, n-1)
	var withinSS float64
	withinDOF := 0
	for _, k := range keys {
		g := members[k]
		dof := max(0, len(g)-1)
		if v := stats.NanVar(g, 1); !math.IsNaN(v) {
			withinSS += v * float64(dof)
		}
		withinDOF += dof
	}
	withinMS := 0.0
	if withinDOF > 0 {
		withinMS = withinSS / float64(withinDOF)
	}
	betweenDOF := max(0, totalDOF-withinDOF)
	betweenMS := 0.0
	if betweenDOF > 0 {
		betweenMS = nonNegative((totalMS*float64(totalDOF) - withinMS*float64(withinDOF)) / float64(betweenDOF))
	}
	return struct {
		TotalMS       pyfmt.Float `json:"total_ms"`
		TotalDOF      int         `json:"total_dof"`
		WithinMS      pyfmt.Float `json:"within_ms"`
		WithinStddev  pyfmt.Float `json:"within_stddev"`
		WithinDOF     int         `json:"within_dof"`
		BetweenMS     pyfmt.Float `json:"between_ms"`
		BetweenStddev pyfmt.Float `json:"between_stddev"`
		BetweenDOF    int         `json:"between_dof"`
	}{
		pyfmt.Float(totalMS), totalDOF,
		pyfmt.Float(withinMS), pyfmt.Float(math.Sqrt(withinMS)), withinDOF,
		pyfmt.Float(betweenMS), pyfmt.Float(math.Sqrt(betweenMS)), betweenDOF,
	}, nil
}

// nonNegative is Python's max(0, v): NaN and negative values become 0.
func nonNegative(v float64) float64 {
	if v > 0 {
		return v
	}
	return 0
}
