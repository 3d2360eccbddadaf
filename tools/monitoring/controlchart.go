package monitoring

import (
	"context"
	"encoding/json"
	"math"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// Chart types and styles, as the schema spells them.
const (
	chartShewhart     = "shewhart"
	chartHoltWinters  = "holt_winters"
	styleRobust       = "robust"
	styleRegular      = "regular"
	defaultChartType  = chartHoltWinters
	defaultChartStyle = styleRobust
)

// madConsistency turns a raw MAD into a normal-consistent spread in the
// robust Shewhart chart: the seed's (and R qcc's) 1.4826, not
// 1/Φ⁻¹(3/4) = 1.482602218505602.
const madConsistency = 1.4826

type controlChartInput struct {
	Values    tool.Vector `json:"values"`
	ChartType string      `json:"chart_type"`
	Style     string      `json:"style"`
}

func decodeControlChart(input json.RawMessage) (controlChartInput, error) {
	in := controlChartInput{ChartType: defaultChartType, Style: defaultChartStyle}
	if err := tool.Decode(input, &in); err != nil {
		return in, err
	}
	switch in.ChartType {
	case chartShewhart, chartHoltWinters:
	default:
		return in, tool.Invalidf("chart_type must be \"shewhart\" or \"holt_winters\", not %q", in.ChartType).With("key", "chart_type")
	}
	if in.Style != styleRobust && in.Style != styleRegular {
		return in, tool.Invalidf("style must be \"robust\" or \"regular\", not %q", in.Style).With("key", "style")
	}
	if in.ChartType == chartHoltWinters && in.Style != styleRobust {
		return in, tool.Invalidf("style %q applies to the Shewhart chart only; the Holt–Winters chart is always robust: "+
			"use chart_type \"shewhart\" for a regular (mean and standard deviation) chart, or leave style out", in.Style).
			With("key", "style")
	}
	return in, nil
}

type controlChartOutput struct {
	Target            pyfmt.Float   `json:"target"`
	UpperControlLimit pyfmt.Float   `json:"upper_control_limit"`
	LowerControlLimit pyfmt.Float   `json:"lower_control_limit"`
	Spread            pyfmt.Float   `json:"spread"`
	OutOfControlIdx   []int         `json:"out_of_control_indices"`
	OutOfControlVals  []pyfmt.Float `json:"out_of_control_values"`
	NOutOfControl     int           `json:"n_out_of_control"`
	NObservations     int           `json:"n_observations"`
	ChartType         string        `json:"chart_type"`
	Style             string        `json:"style"`
}

func controlChartDef() tool.Def {
	return tool.Def{
		Name:     "control_chart",
		Example:  `{"values": [33, 30, 29, 30, 27, 32, 17], "chart_type": "shewhart"}`,
		Category: Category,
		Description: "Build a control chart for a time-ordered sequence of observations and find the out-of-control points. " +
			"Input: values (numbers in time order, null = missing; at least 5), chart_type and style. " +
			"chart_type \"holt_winters\" (default) is the robust Holt–Winters chart of Gelper, Fried and Croux (2010): " +
			"a level-and-trend exponential smoother whose inputs are first cleaned with Huber's ψ against a running robust " +
			"scale, so that it follows slow drifts (a blend of CUSUM memory and Shewhart limits) without being pulled by outliers. " +
			"The first M = min(20, max(10, ⌈N/10⌉)) points start it: a repeated-median line through them gives the starting " +
			"level and trend, and the normal-scaled MAD of that line's residuals the starting scale. The smoothing weights " +
			"λ₁ and λ₂ are chosen on the grid {0.1, 0.3, 0.5, 0.7, 0.9}² (λ_s = 0.2) to minimise the robust τ-scale of the " +
			"one-step-ahead forecast errors after the warm-up (of all errors when N < 2M). " +
			"The target is the median of the cleaned series and the spread that τ-scale. " +
			"With fewer than M values the target is the median and the spread the sample standard deviation, and no point is judged. " +
			"chart_type \"shewhart\" is an individuals chart: with style \"robust\" (default) the target is the median and the " +
			"spread 1.4826 × the median absolute deviation; with style \"regular\" the mean and the sample standard deviation. " +
			"Points with |value − target| > 3 × spread are out of control. " +
			"Output: target, upper_control_limit and lower_control_limit (target ± 3 × spread), spread, out_of_control_indices " +
			"(0-based), out_of_control_values, n_out_of_control, n_observations (values given, missing included), chart_type and style. " +
			"Differences from the seed (the changes to ρ, the grid search, the starting scale and gaps follow the seed project's " +
			"later code): \"cusum\" is not offered " +
			"(the seed accepted it but never computed it and returned an error); style applies to the Shewhart chart only, and " +
			"style \"regular\" with the Holt–Winters chart is refused (the seed ignored it and reported a robust chart as regular); " +
			"the biweight ρ behind the running scale and τ is multiplied by its consistency constant 3.266736, so that τ estimates " +
			"the standard deviation of Gaussian data, where the seed multiplied by its cutoff 2.52 and its ±3τ limits were in truth " +
			"±2.63σ (spreads are about 14% wider than the seed's); the grid search skips undefined errors, so it also works for " +
			"N < 2M, where the seed always chose λ₁ = λ₂ = 0.1; the starting scale is the MAD of y − α₀ − β₀·t (the seed " +
			"subtracted β₀, not β₀·t, inflating it on a trend), or their standard deviation when that MAD is zero; a missing " +
			"value takes the median absolute error of the previous ten rows as its error, as in the seed, but one with no earlier " +
			"error (at row 1) carries the forecast forward instead of turning the rest of the fit into NaN; a series the smoother " +
			"follows exactly (constant values) gives a zero spread where the seed failed. At least 2 non-missing values are needed, " +
			"and the Holt–Winters chart needs one among its first M.",
		Schema: schema("control_chart"),
		Check: func(input json.RawMessage) error {
			_, err := decodeControlChart(input)
			return err
		},
		Run: runControlChart,
	}
}

func runControlChart(_ context.Context, input json.RawMessage) (any, error) {
	in, err := decodeControlChart(input)
	if err != nil {
		return nil, err
	}
	y := in.Values.Values()
	if n := stats.Count(y); n < minValues {
		return nil, tooFewValues(n)
	}
	var target, spread float64
	judged := true
	switch {
	case in.ChartType == chartHoltWinters:
		if m := warmUpLength(len(y)); len(y) >= m && stats.Count(y[:m]) == 0 {
			return nil, tool.Errorf("the first %d values, which start the Holt–Winters chart, are all missing", m).
				With("key", "values").With("warm_up", m)
		}
		c := holtWinters(y)
		target, spread, judged = c.target, c.spread, c.judged
	case in.Style == styleRegular:
		target, spread = stats.NanMean(y), stats.NanStd(y, 1)
	default:
		target, spread = stats.NanMedian(y), madConsistency*stats.MADRaw(y)
	}
	out := controlChartOutput{
		Target:            pyfmt.Float(target),
		UpperControlLimit: pyfmt.Float(target + 3*spread),
		LowerControlLimit: pyfmt.Float(target - 3*spread),
		Spread:            pyfmt.Float(spread),
		OutOfControlIdx:   []int{},
		OutOfControlVals:  []pyfmt.Float{},
		NObservations:     len(y),
		ChartType:         in.ChartType,
		Style:             in.Style,
	}
	if judged {
		for i, v := range y {
			// NaN compares false: a missing value or an undefined limit
			// flags nothing.
			if math.Abs(v-target) > 3*spread {
				out.OutOfControlIdx = append(out.OutOfControlIdx, i)
				out.OutOfControlVals = append(out.OutOfControlVals, pyfmt.Float(v))
			}
		}
	}
	out.NOutOfControl = len(out.OutOfControlIdx)
	return out, nil
}
