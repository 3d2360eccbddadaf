package regression

import (
	"context"
	"encoding/json"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

func repeatedMedianDef() tool.Def {
	return tool.Def{
		Name:     "repeated_median",
		Example:  `{"x": [1, 2, 3, 4, 5], "y": [5, 10, 15, 20, 100]}`,
		Category: Category,
		Description: "Compute Siegel's repeated-median slope of y on x, and nothing else: for each point the median of " +
			"its slopes (y_j − y_i)/(x_j − x_i) to every other point with a different x, then the median of those " +
			"medians (medians of an even count average the two middle values). It tolerates up to almost half of the " +
			"points being outliers. Use robust_regression for the intercept, fit statistics and intervals. " +
			"Input: x and y of the same length (numbers, null = missing; a pair with a missing side takes no part; " +
			"at least 3 and at most 5000 entries each, refused as input_too_large above that). " +
			"Output: slope (null when no two complete points have different x, for example when every x is equal) " +
			"and n, the number of entries in x as given, missing ones included (as in the original tool). " +
			"Example: {\"x\": [0, 1, 2, 3], \"y\": [5, 1, 6, 72]} gives slope 5.0. " +
			"Difference from the original tool: the 5000-entry cap, which the original project added later " +
			"(max_regression_points).",
		Schema: schema("repeated_median"),
		Check:  checkPairs,
		Run:    runRepeatedMedian,
	}
}

func runRepeatedMedian(_ context.Context, input json.RawMessage) (any, error) {
	if err := checkPairs(input); err != nil {
		return nil, err
	}
	var in struct {
		X tool.Vector `json:"x"`
		Y tool.Vector `json:"y"`
	}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	slope, err := stats.RepeatedMedianSlope(in.X.Values(), in.Y.Values())
	if err != nil {
		// Only fewer than 3 entries, which the schema refuses.
		return nil, tool.Errorf("%v", err)
	}
	return struct {
		Slope pyfmt.Float `json:"slope"`
		N     int         `json:"n"`
	}{pyfmt.Float(slope), len(in.X)}, nil
}
