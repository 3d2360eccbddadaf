package univariate

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/toolq/toolq/tools/internal/pyfmt"

	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

func normalityTestDef() tool.Def {
	return tool.Def{
		Name:     "normality_test",
		Example:  `{"values": [1.37, -0.56, 0.36, 0.63, 0.40, -0.11, 1.51, -0.09, 2.02, -0.06]}`,
		Category: Category,
		Description: "Test whether a list of numbers is consistent with a normal distribution, using the Shapiro–Wilk test " +
			"(Royston's algorithm AS R94, as in scipy.stats.shapiro and R's shapiro.test). " +
			"Input: values (numbers, null = missing; at least 3 non-missing) and alpha (significance level, default 0.05). " +
			"Output: statistic (W, between 0 and 1; near 1 for normal-looking data), p_value, alpha, " +
			"is_normal (p_value ≥ alpha) and a one-sentence interpretation. Constant data give W = 1 and p = 1. " +
			"The p-value approximation is validated for 3 to 5000 values.",
		Schema: schema("normality_test"),
		Run:    runNormalityTest,
	}
}

func runNormalityTest(_ context.Context, input json.RawMessage) (any, error) {
	in := struct {
		Values tool.Vector `json:"values"`
		Alpha  float64     `json:"alpha"`
	}{Alpha: 0.05}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	x := in.Values.Values()
	if n := stats.Count(x); n < 3 {
		return nil, tool.Errorf("the Shapiro–Wilk test needs at least 3 non-missing values, got %d", n).With("n", n)
	}
	w, p, err := stats.ShapiroWilk(x)
	if err != nil {
		return nil, tool.Errorf("%v", err)
	}
	isNormal := p >= in.Alpha
	var text string
	if isNormal {
		text = fmt.Sprintf("At the %s significance level, the data appear consistent with a normal distribution.",
			pyfmt.Percent0(in.Alpha))
	} else {
		text = fmt.Sprintf("At the %s significance level, there is evidence that the data are NOT normally distributed (p=%s). Consider using robust methods.",
			pyfmt.Percent0(in.Alpha), pyfmt.Fixed(p, 4))
	}
	return struct {
		Statistic      pyfmt.Float `json:"statistic"`
		PValue         pyfmt.Float `json:"p_value"`
		Alpha          pyfmt.Float `json:"alpha"`
		IsNormal       bool        `json:"is_normal"`
		Interpretation string      `json:"interpretation"`
	}{pyfmt.Float(w), pyfmt.Float(p), pyfmt.Float(in.Alpha), isNormal, text}, nil
}
