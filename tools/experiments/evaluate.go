package experiments

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/tool"
)

// The evaluate_design tool: the seed's experiments/tools.py
// evaluate_design_tool over evaluate.evaluate_design (seed-spec §2.3, tool
// 24).

//go:embed schemas/evaluate_design.json
var evaluateSchema []byte

const evaluateExample = `{"design_matrix": [{"A": -1, "B": -1, "C": -1}, {"A": 1, "B": -1, "C": -1}, ` +
	`{"A": -1, "B": 1, "C": -1}, {"A": 1, "B": 1, "C": -1}, {"A": -1, "B": -1, "C": 1}, {"A": 1, "B": -1, "C": 1}, ` +
	`{"A": -1, "B": 1, "C": 1}, {"A": 1, "B": 1, "C": 1}], "metric": ["d_efficiency", "vif", "power"], ` +
	`"model": "main_effects", "effect_size": 2}`

// evaluateDesignDef returns the evaluate_design definition.
func evaluateDesignDef() *tool.Def {
	return &tool.Def{
		Name:        "evaluate_design",
		Category:    Category,
		Description: evaluateDescription,
		Schema:      evaluateSchema,
		Check: func(input json.RawMessage) error {
			_, err := decodeEvaluate(input)
			return err
		},
		Example: evaluateExample,
		Run:     runEvaluateDesign,
	}
}

type evaluateInputRaw struct {
	DesignMatrix json.RawMessage `json:"design_matrix"`
	Metric       json.RawMessage `json:"metric"`
	Model        *string         `json:"model"`
	EffectSize   *float64        `json:"effect_size"`
	Alpha        *float64        `json:"alpha"`
	Sigma        *float64        `json:"sigma"`
	Generators   []string        `json:"generators"`
}

type evaluateInput struct {
	design     *doeRecords
	metrics    []string
	model      string
	effectSize *float64
	alpha      float64
	sigma      *float64
	generators []string
}

func decodeEvaluate(input json.RawMessage) (*evaluateInput, error) {
	var raw evaluateInputRaw
	if err := tool.Decode(input, &raw); err != nil {
		return nil, err
	}
	in := &evaluateInput{model: "interactions", alpha: 0.05, effectSize: raw.EffectSize, sigma: raw.Sigma, generators: raw.Generators}
	var err error
	if in.design, err = decodeDoeRecords("design_matrix", raw.DesignMatrix); err != nil {
		return nil, err
	}
	if in.metrics, err = decodeMetrics(raw.Metric); err != nil {
		return nil, err
	}
	if raw.Model != nil {
		in.model = *raw.Model
	}
	if raw.Alpha != nil {
		if !(*raw.Alpha > 0 && *raw.Alpha < 1) {
			return nil, tool.Invalidf("alpha must be between 0 and 1, not %v", *raw.Alpha).With("key", "alpha")
		}
		in.alpha = *raw.Alpha
	}
	if in.sigma != nil && !(*in.sigma > 0 && !math.IsInf(*in.sigma, 0)) {
		return nil, tool.Invalidf("sigma must be a positive number, not %v", *in.sigma).With("key", "sigma")
	}
	if in.effectSize != nil && (math.IsNaN(*in.effectSize) || math.IsInf(*in.effectSize, 0)) {
		return nil, tool.Invalidf("effect_size must be a finite number").With("key", "effect_size")
	}
	return in, nil
}

// decodeMetrics reads a metric name or a list of them.
func decodeMetrics(raw json.RawMessage) ([]string, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return validMetrics([]string{one})
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil || len(list) == 0 {
		return nil, tool.Invalidf("metric must be a metric name or a non-empty list of them").With("key", "metric")
	}
	return validMetrics(list)
}

func validMetrics(list []string) ([]string, error) {
	var unknown []string
	for _, m := range list {
		if !slices.Contains(evalMetricNames, m) {
			unknown = append(unknown, m)
		}
	}
	if unknown != nil {
		return nil, tool.Invalidf("Unknown metric(s): %s. Available metrics: %s", pyStrList(unknown), pyStrList(sortedMetricNames())).
			With("key", "metric")
	}
	return list, nil
}

func sortedMetricNames() []string {
	out := slices.Clone(evalMetricNames)
	slices.Sort(out)
	return out
}

// pyStrList writes a list of strings as Python's repr does.
func pyStrList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = pyStrRepr(x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// pyStrRepr is Python's repr of a str: single quotes unless the text has a
// single quote and no double quote; backslash, the quote and control
// characters escaped.
func pyStrRepr(s string) string {
	quote := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		quote = '"'
	}
	var b strings.Builder
	b.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == '\\' || r == rune(quote):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(quote)
	return b.String()
}

// evaluateMetrics computes the metrics in order, merging their keys as the
// seed's results.update does.
func evaluateMetrics(ctx context.Context, in *evaluateInput) (*pydict.Dict, error) {
	e, err := newEvalCtx(ctx, in.design.names, in.design.rows, in.model)
	if err != nil {
		return nil, err
	}
	e.generators = in.generators
	e.effectSize = in.effectSize
	e.alpha = in.alpha
	e.sigma = in.sigma
	out := &pydict.Dict{}
	for _, m := range in.metrics {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var r *pydict.Dict
		switch m {
		case "d_efficiency":
			r = metricDEfficiency(e)
		case "a_efficiency":
			r = metricAEfficiency(e)
		case "i_efficiency":
			r, err = metricIEfficiency(e)
		case "g_efficiency":
			r, err = metricGEfficiency(e)
		case "prediction_variance":
			r = metricPredictionVariance(e)
		case "vif":
			r = metricVIF(e)
		case "condition_number":
			r = metricConditionNumber(e)
		case "power":
			r = metricPower(e)
		case "degrees_of_freedom":
			r = metricDegreesOfFreedom(e)
		case "alias_structure":
			r, err = metricAliasStructure(e)
		case "confounding":
			r, err = metricConfounding(e)
		case "resolution":
			r = metricResolution(e)
		case "defining_relation":
			r = metricDefiningRelation(e)
		case "clear_effects":
			r, err = metricClearEffects(e)
		case "minimum_aberration":
			r = metricMinimumAberration(e)
		}
		if err != nil {
			return nil, err
		}
		out.Update(*r)
	}
	return out, nil
}

func runEvaluateDesign(ctx context.Context, input json.RawMessage) (any, error) {
	in, err := decodeEvaluate(input)
	if err != nil {
		return nil, err
	}
	return evaluateMetrics(ctx, in)
}
