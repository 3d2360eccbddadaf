package univariate

import (
	"context"
	"encoding/json"

	"github.com/toolq/toolq/tools/internal/pyfmt"

	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

func detectOutliersDef() tool.Def {
	return tool.Def{
		Name:     "detect_outliers",
		Example:  `{"values": [10.1, 10.3, 10.2, 10.0, 10.4, 10.2, 10.1, 10.3, 9.9, 10.2, 10.0, 10.1, 10.3, 10.2, 100.0]}`,
		Category: Category,
		Description: "Find outliers in a list of numbers with Rosner's generalized ESD (extreme Studentized deviate) test, " +
			"as in the NIST e-handbook: the most extreme value is removed up to max_outliers_to_detect times, and the number of " +
			"outliers is the largest step whose test statistic exceeds its critical value, so a group of outliers that mask " +
			"one another is still found. " +
			"Input: values (numbers, null = missing; at least 3), max_outliers_to_detect (default 5, at most 20; reduced to " +
			"the number of non-missing values minus 2), alpha (significance level, default 0.05) and robust_variant " +
			"(default false: mean and standard deviation; true: median and normal-scaled MAD, which flags more points " +
			"because the critical values assume the classical statistic). " +
			"Output: outlier_indices (0-based positions in values, in the order detected), outlier_values, " +
			"n_outliers_found, alpha and robust_variant. " +
			"Unlike the original tool, the default is the classical statistic and the count uses the largest crossing, " +
			"not the first. Keep max_outliers_to_detect well below the number of values: once only a few (especially " +
			"repeated) values remain, a late step can exceed its critical value and flag ordinary points.",
		Schema: schema("detect_outliers"),
		Run:    runDetectOutliers,
	}
}

func runDetectOutliers(_ context.Context, input json.RawMessage) (any, error) {
	in := struct {
		Values        tool.Vector `json:"values"`
		MaxOutliers   float64     `json:"max_outliers_to_detect"` // JSON Schema's integer admits 5.0
		Alpha         float64     `json:"alpha"`
		RobustVariant bool        `json:"robust_variant"`
	}{MaxOutliers: 5, Alpha: 0.05}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	x := in.Values.Values()
	n := stats.Count(x)
	if n == 0 {
		return nil, noValues("values")
	}
	// Each ESD step needs at least three values left; the later seed clamps
	// the same way instead of failing.
	k := n - 2
	if in.MaxOutliers < float64(k) {
		k = int(in.MaxOutliers)
	}
	k = max(0, k)
	res, err := stats.GeneralizedESD(x, k, in.Alpha, in.RobustVariant)
	if err != nil {
		return nil, tool.Invalidf("%v", err) // only a bad alpha gets here
	}
	values := make([]float64, len(res.Outliers))
	for i, j := range res.Outliers {
		values[i] = x[j]
	}
	return struct {
		Indices       []int         `json:"outlier_indices"`
		Values        []pyfmt.Float `json:"outlier_values"`
		N             int           `json:"n_outliers_found"`
		Alpha         pyfmt.Float   `json:"alpha"`
		RobustVariant bool          `json:"robust_variant"`
	}{res.Outliers, pyfmt.Floats(values), len(res.Outliers), pyfmt.Float(in.Alpha), in.RobustVariant}, nil
}
