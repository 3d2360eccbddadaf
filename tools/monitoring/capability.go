package monitoring

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

type capabilityInput struct {
	Values    tool.Vector  `json:"values"`
	LowerSpec *json.Number `json:"lower_spec"`
	UpperSpec *json.Number `json:"upper_spec"`
	Robust    bool         `json:"robust"`
}

func decodeCapability(input json.RawMessage) (capabilityInput, error) {
	in := capabilityInput{Robust: true}
	if err := tool.Decode(input, &in); err != nil {
		return in, err
	}
	lo, hi := specValue(in.LowerSpec), specValue(in.UpperSpec)
	if in.LowerSpec != nil && in.UpperSpec != nil && !(lo < hi) {
		return in, tool.Invalidf("lower_spec (%s) must be below upper_spec (%s)", *in.LowerSpec, *in.UpperSpec).
			With("lower_spec", lo).With("upper_spec", hi)
	}
	return in, nil
}

// specValue returns a specification limit, NaN when it is not given.
func specValue(n *json.Number) float64 {
	if n == nil {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil && !math.IsInf(f, 0) { // beyond the float range: ±Inf, kept
		return math.NaN()
	}
	return f
}

// echoNumber returns a number from the input as the seed echoed it after
// json.loads: an integer literal as an integer, anything else as a float
// (9.5, 100.0 for 1e2), nil when absent.
func echoNumber(n *json.Number) any {
	if n == nil {
		return nil
	}
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	return pyfmt.Float(specValue(n))
}

type capabilityOutput struct {
	Cpk            pyfmt.Float `json:"cpk"`
	Interpretation string      `json:"interpretation"`
	LowerSpec      any         `json:"lower_spec"`
	UpperSpec      any         `json:"upper_spec"`
	N              int         `json:"n"`
	Robust         bool        `json:"robust"`
}

func processCapabilityDef() tool.Def {
	return tool.Def{
		Name:     "process_capability",
		Example:  `{"values": [9.8, 10.1, 10.0, 9.9, 10.2, 10.0, 9.7, 10.3], "lower_spec": 9, "upper_spec": 11}`,
		Category: Category,
		Description: "Compute the process capability index Cpk of a set of measurements against specification limits: how many " +
			"spreads fit between the centre of the process and the nearer limit. " +
			"Input: values (numbers, null = missing; at least 5), lower_spec and upper_spec (numbers; give one or both; " +
			"lower_spec must be below upper_spec) and robust (default true). " +
			"For each given limit the distance of every value to it is formed (value − lower_spec, upper_spec − value); " +
			"its centre over its spread, divided by 3, is that side's index, and Cpk is the smaller of the two. " +
			"With robust true the centre is the median and the spread the Rousseeuw–Croux Sn scale; with robust false, " +
			"the mean and the sample standard deviation. " +
			"Output: cpk, interpretation (\"Cpk = x.xxx. \" followed by Excellent capability at 1.67 or more, Good at 1.33 or more, " +
			"Marginal at 1.0 or more, Poor below), lower_spec and upper_spec as given (null when not given), " +
			"n (values given, missing included) and robust. " +
			"A zero spread gives an infinite Cpk, written as null, with the interpretation of its sign. " +
			"Differences from the seed: without any limit cpk is null and the interpretation says it cannot be computed " +
			"(the seed reported \"Cpk = nan. Poor capability\"); lower_spec at or above upper_spec is refused; at least 2 " +
			"non-missing values are needed.",
		Schema: schema("process_capability"),
		Check: func(input json.RawMessage) error {
			_, err := decodeCapability(input)
			return err
		},
		Run: runProcessCapability,
	}
}

func runProcessCapability(_ context.Context, input json.RawMessage) (any, error) {
	in, err := decodeCapability(input)
	if err != nil {
		return nil, err
	}
	x := in.Values.Values()
	if n := stats.Count(x); n < minValues {
		return nil, tooFewValues(n)
	}
	cpk := calculateCpk(x, specValue(in.LowerSpec), specValue(in.UpperSpec), in.Robust)
	return capabilityOutput{
		Cpk:            pyfmt.Float(cpk),
		Interpretation: interpretCpk(cpk, in.LowerSpec != nil || in.UpperSpec != nil),
		LowerSpec:      echoNumber(in.LowerSpec),
		UpperSpec:      echoNumber(in.UpperSpec),
		N:              len(x),
		Robust:         in.Robust,
	}, nil
}

// calculateCpk is the seed's calculate_Cpk without its percentile fallback
// for a missing limit, which the tool never reached (it passed NaN, not
// None): a missing limit (NaN) leaves its side out, and with neither the
// result is NaN.
func calculateCpk(x []float64, lsl, usl float64, robust bool) float64 {
	side := func(metric []float64) float64 {
		var center, spread float64
		if robust {
			center, spread = stats.NanMedian(metric), stats.Sn(metric)
		} else {
			center, spread = stats.NanMean(metric), stats.NanStd(metric, 1)
		}
		return center / (3 * spread)
	}
	lower, upper := math.NaN(), math.NaN()
	if !math.IsNaN(lsl) {
		m := make([]float64, len(x))
		for i, v := range x {
			m[i] = v - lsl
		}
		lower = side(m)
	}
	if !math.IsNaN(usl) {
		m := make([]float64, len(x))
		for i, v := range x {
			m[i] = usl - v
		}
		upper = side(m)
	}
	// numpy.nanmin of the two.
	switch {
	case math.IsNaN(lower):
		return upper
	case math.IsNaN(upper):
		return lower
	default:
		return math.Min(lower, upper)
	}
}

// interpretCpk is the seed's verdict text, with an em dash as in the seed.
// An undefined Cpk gets a sentence saying why instead of the seed's
// "Cpk = nan. Poor capability …".
func interpretCpk(cpk float64, haveSpec bool) string {
	switch {
	case !haveSpec:
		return "Cpk cannot be computed: give lower_spec, upper_spec or both."
	case math.IsNaN(cpk):
		return "Cpk is undefined: the values do not vary and sit on the specification limit."
	}
	var verdict string
	switch {
	case cpk >= 1.67:
		verdict = "Excellent capability — process is well within spec limits."
	case cpk >= 1.33:
		verdict = "Good capability — process fits within spec limits."
	case cpk >= 1.0:
		verdict = "Marginal capability — process barely fits within spec limits."
	default:
		verdict = "Poor capability — process is producing out-of-spec output."
	}
	return "Cpk = " + pyfmt.Fixed(cpk, 3) + ". " + verdict
}
