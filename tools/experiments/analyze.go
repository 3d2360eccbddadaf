package experiments

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"math"
	"slices"
	"strings"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/formula"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// The analyze_experiment tool: the seed's experiments/tools.py
// analyze_experiment over experiments/analysis.py (seed-spec §2.3, tool 25).
// The formula engine and the least-squares fit are tools/internal/formula
// and tools/internal/ols; the diagnostics are in tools/internal/stats.

//go:embed schemas/analyze_experiment.json
var analyzeSchema []byte

// aeAnalyses are the analysis types, in the seed's registry order.
var aeAnalyses = []string{"anova", "effects", "coefficients", "significance", "residual_diagnostics", "lack_of_fit",
	"curvature_test", "model_selection", "box_cox", "lenth_method", "confidence_intervals", "prediction",
	"confirmation_test"}

func analyzeExperimentDef() *tool.Def {
	return &tool.Def{
		Name:        "analyze_experiment",
		Category:    Category,
		Description: analyzeDescription,
		Schema:      analyzeSchema,
		Check:       checkAnalyze,
		Run:         runAnalyze,
		Example:     analyzeExample,
	}
}

const analyzeExample = `{"design_matrix": [{"A": -1, "B": -1, "y": 28}, {"A": 1, "B": -1, "y": 36}, {"A": -1, "B": 1, "y": 18}, ` +
	`{"A": 1, "B": 1, "y": 31}, {"A": 0, "B": 0, "y": 25}, {"A": 0, "B": 0, "y": 26}, {"A": 0, "B": 0, "y": 24}], ` +
	`"response_column": "y", "analysis_type": ["anova", "coefficients", "curvature_test", "lack_of_fit"]}`

const analyzeDescription = "Fit a least-squares model to the runs of a designed experiment and analyse it. Input: " +
	"design_matrix (one object per run mapping each column to a number; every run must give every column), " +
	"response_column (the response; every other column is a factor, normally coded −1/0/+1, so leave run-order or " +
	"block columns out), model (main_effects, interactions (the default: main effects and all two-factor " +
	"interactions), quadratic (interactions plus I(X ** 2) for each factor), a right-hand side such as " +
	"\"A + B + A:B\", or a whole formula \"y ~ A*B*C\" whose response is response_column; formulas use names, " +
	"+ - * : ** ^, parentheses, I(x ** k) and C(x)), transform (log, sqrt, inverse or box_cox, applied to the response " +
	"before anything else), analysis_type (one name or a list, run in the order given; default anova), " +
	"significance_level (default 0.05), new_points and observed_at_new (for prediction and confirmation_test). " +
	"The result always has model_summary {formula, r_squared, r_squared_adj, r_squared_pred (1 − PRESS/SST, PRESS = " +
	"Σ(eᵢ/(1 − hᵢᵢ))²), adequate_precision ((max ŷ − min ŷ)/√(p·MSE/n), p = df_model + 1), n_obs, df_model, " +
	"df_residual, mse_residual}, then per analysis: anova → anova_table [{source, df, sum_sq, mean_sq (always null), F, " +
	"p_value}] (Type-II sums of squares as statsmodels' anova_lm(typ=2) computes them, with a Residual row; for an " +
	"aliased, rank-deficient model statsmodels' Wald-test form, which gives each of two aliased terms the pair's sum " +
	"of squares on 1 df; [] and a note when no residual degrees of freedom are left); effects → {term: " +
	"2·coefficient}; coefficients → [{term, coefficient, std_error, t_value, p_value, ci_low, ci_high}] (95% " +
	"intervals); significance → significant_terms and not_significant_terms (p < significance_level; a term without " +
	"a p-value is in neither) and significance_level; residual_diagnostics → {shapiro_wilk {statistic, p_value} (at " +
	"least 3 runs), durbin_watson, breusch_pagan {statistic, p_value} (Koenker's n·R² of e² on the model matrix, χ² " +
	"with columns − 1 df), cooks_distance, leverage, residuals, fitted_values}; lack_of_fit → {ss, df and ms of lack " +
	"of fit and of pure error (from runs with identical factor settings), f_statistic, p_value, significant (p < " +
	"0.05)}, or {error} without replicates or spare degrees of freedom; curvature_test → centre runs (every factor 0) " +
	"against factorial runs (every factor ±1): their means, difference, t_statistic = difference/√(MSE(1/n_c + " +
	"1/n_f)) on the residual df, p_value, significant (p < 0.05), the counts, or {error}; model_selection → backward " +
	"elimination by AIC over the main effects and all two-factor interactions of the factors (whatever the model), " +
	"removing the first term whose removal lowers AIC and starting over: {selected_formula, criterion \"aic\", " +
	"criterion_value, direction \"backward\", r_squared, r_squared_adj, n_terms}; box_cox → the maximum-likelihood λ " +
	"of the (transformed) response, its transformed values and a recommendation (log, square root, inverse within " +
	"0.05 of 0, 0.5, −1), or {error} unless every value is > 0 (all-equal values are a tool error); lenth_method → " +
	"Lenth's PSE, ME and SME over the effects 2·coefficient and whether each effect exceeds them; " +
	"confidence_intervals → [{term, ci_low, ci_high}] at 1 − significance_level and confidence_level; prediction → " +
	"predictions [{predicted, ci_low, ci_high, pi_low, pi_high}] at new_points; confirmation_test → whether each " +
	"observed_at_new value lies in its prediction interval ({results, all_within_PI, confidence_level}); the last two " +
	"give {error} when their inputs are missing. Predictions and comparisons are on the scale of the (transformed) " +
	"response: transform observed values yourself. A saturated model (no residual df) reports null where an error " +
	"variance is needed. Numbers agree with the original tool's (statsmodels 0.13.5, scipy 1.10) to about 1e-8 " +
	"relative (scipy's t quantiles are off by up to 2e-9), Shapiro–Wilk to about 1e-6 (scipy computes it in single " +
	"precision), the Box–Cox λ to about 1e-6 (same bracket and Brent search; the likelihood is flat at its maximum); " +
	"values that are rounding noise in the original (a residual of 1e-15 in a perfect fit, an AIC of a perfect fit) " +
	"are rounding noise here too, with other digits. Differences from the original tool: every run must give every " +
	"column a number (the original silently dropped incomplete runs from the fit but not from the pure-error and " +
	"curvature groupings); column names must be identifiers (letters, digits, _, not starting with a digit; Python " +
	"keywords such as yield, on which the original failed, are fine); a formula's response must be response_column; " +
	"the transform must be defined for every response value (the original fitted NaN or infinite values, and silently " +
	"skipped box_cox); significance_level lies strictly between 0 and 1; observed_at_new must have one value per new " +
	"point; an exact 0.0 in the Shapiro–Wilk or Breusch–Pagan results is reported as 0.0 (the original turned it into " +
	"null); adequate_precision of a saturated model is null (the original gave null or, by rounding accident, 0.0); " +
	"booleans are JSON booleans (the original emitted \"True\"/\"False\" strings for significant); the lack-of-fit " +
	"and curvature p-values come from the upper tail directly, so values below about 1e-16 keep their digits (the " +
	"original computed 1 − CDF). Caps: at most 10000 runs and new points; a model (and, for model_selection, the main " +
	"effects plus two-factor interactions of all factors) of at most 100 terms with the intercept; a formula of at " +
	"most 4096 characters; model_selection stops with an error when its fits would take more than a few seconds."

// aeInput is the decoded input.
type aeInput struct {
	DesignMatrix      []json.RawMessage `json:"design_matrix"`
	ResponseColumn    string            `json:"response_column"`
	Model             string            `json:"model"`
	AnalysisType      json.RawMessage   `json:"analysis_type"`
	SignificanceLevel float64           `json:"significance_level"`
	Transform         string            `json:"transform"`
	NewPoints         []json.RawMessage `json:"new_points"`
	ObservedAtNew     []json.Number     `json:"observed_at_new"`
}

// aeCall is a checked analyze_experiment input, ready to fit.
type aeCall struct {
	in       aeInput
	types    []string
	columns  []string             // data columns in first-appearance order
	data     map[string][]float64 // column → values, the response transformed
	factors  []string             // every column but the response
	formula  string               // the formula as reported
	parsed   *formula.Formula
	design   *formula.Design
	newRows  formula.Rows // new_points, nil when absent or empty
	observed []json.Number
}

// decodeAnalyze decodes and checks an input and builds the model matrix;
// every error is input_invalid or input_too_large.
func decodeAnalyze(input json.RawMessage) (*aeCall, error) {
	c := &aeCall{in: aeInput{Model: "interactions", SignificanceLevel: 0.05}}
	if err := tool.Decode(input, &c.in); err != nil {
		return nil, err
	}
	in := &c.in
	var err error
	if c.types, err = aeAnalysisTypes(in.AnalysisType); err != nil {
		return nil, err
	}
	if !(in.SignificanceLevel > 0 && in.SignificanceLevel < 1) {
		return nil, tool.Invalidf("significance_level must lie strictly between 0 and 1, not %v", in.SignificanceLevel).
			With("key", "significance_level")
	}
	if len(in.DesignMatrix) < 2 {
		return nil, tool.Invalidf("design_matrix needs at least 2 runs").With("key", "design_matrix")
	}
	if len(in.DesignMatrix) > formula.DefaultMaxRows {
		return nil, errcode.New(errcode.InputTooLarge, "design_matrix has %d runs; the cap is %d", len(in.DesignMatrix),
			formula.DefaultMaxRows).With("key", "design_matrix").With("limit", formula.DefaultMaxRows).
			With("observed", len(in.DesignMatrix))
	}
	if c.columns, c.data, err = aeReadRows(in.DesignMatrix, "design_matrix", nil); err != nil {
		return nil, err
	}
	resp := in.ResponseColumn
	if _, ok := c.data[resp]; !ok {
		return nil, tool.Invalidf("Response column '%s' not found in data.", resp).With("key", "response_column")
	}
	for _, col := range c.columns {
		if formula.Quote(col) != col {
			return nil, tool.Invalidf("column name %q is not an identifier (letters, digits and _, not starting with a digit)", col).
				With("key", "design_matrix").With("column", col)
		}
		if col != resp {
			c.factors = append(c.factors, col)
		}
	}
	if len(c.factors) == 0 {
		return nil, tool.Invalidf("design_matrix has no factor columns besides the response %q", resp).With("key", "design_matrix")
	}
	if err := aeTransform(c.data[resp], in.Transform); err != nil {
		return nil, err
	}

	c.formula = aeBuildFormula(resp, c.factors, in.Model)
	if c.parsed, err = formula.Parse(c.formula, nil); err != nil {
		return nil, err
	}
	if c.parsed.Response == "" {
		return nil, tool.Invalidf("the formula %q has no response; write it as %s ~ …", c.formula, resp).With("key", "model")
	}
	if c.parsed.Response != resp {
		return nil, tool.Invalidf("the formula's response %q is not response_column %q", c.parsed.Response, resp).With("key", "model")
	}
	if c.design, err = c.parsed.Build(aeFormulaRows(len(in.DesignMatrix), c.columns, c.data), nil); err != nil {
		return nil, err
	}
	if slices.Contains(c.types, "model_selection") {
		k := len(c.factors)
		terms := 1 + k + k*(k-1)/2
		if terms > formula.DefaultMaxTerms {
			return nil, errcode.New(errcode.InputTooLarge, "model_selection would search %d terms (the main effects and "+
				"two-factor interactions of %d factors, and the intercept); the cap is %d", terms, k, formula.DefaultMaxTerms).
				With("key", "analysis_type").With("limit", formula.DefaultMaxTerms).With("observed", terms)
		}
		// One pass over the terms is the least the search does.
		if n := len(in.DesignMatrix); float64(terms)*aeFitCost(n, terms) > aeSelectBudget {
			return nil, errcode.New(errcode.InputTooLarge, "model_selection over %d runs and %d factors needs more "+
				"work than the cap allows; select among fewer factors or runs", n, k).With("key", "analysis_type")
		}
	}

	if len(in.NewPoints) > formula.DefaultMaxRows {
		return nil, errcode.New(errcode.InputTooLarge, "new_points has %d points; the cap is %d", len(in.NewPoints),
			formula.DefaultMaxRows).With("key", "new_points").With("limit", formula.DefaultMaxRows)
	}
	if len(in.NewPoints) > 0 {
		cols, data, err := aeReadRows(in.NewPoints, "new_points", c.parsed.Variables()[1:])
		if err != nil {
			return nil, err
		}
		c.newRows = aeFormulaRows(len(in.NewPoints), cols, data)
		if _, err := c.design.Matrix(c.newRows); err != nil {
			return nil, err
		}
	}
	if in.ObservedAtNew != nil {
		c.observed = in.ObservedAtNew
		if len(in.NewPoints) > 0 && len(c.observed) != len(in.NewPoints) {
			return nil, tool.Invalidf("observed_at_new has %d values for %d new_points", len(c.observed), len(in.NewPoints)).
				With("key", "observed_at_new")
		}
	}
	return c, nil
}

// aeAnalysisTypes reads analysis_type: a name or a list of names (default
// "anova").
func aeAnalysisTypes(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return []string{"anova"}, nil
	}
	var types []string
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		types = []string{one}
	} else if err := json.Unmarshal(raw, &types); err != nil {
		return nil, tool.Invalidf("analysis_type must be a string or a list of strings").With("key", "analysis_type")
	}
	for _, t := range types {
		if !slices.Contains(aeAnalyses, t) {
			return nil, tool.Invalidf("Unknown analysis_type(s): ['%s']. Available: ['%s']", t,
				strings.Join(aeSortedAnalyses(), "', '")).With("key", "analysis_type")
		}
	}
	return types, nil
}

func aeSortedAnalyses() []string {
	out := slices.Clone(aeAnalyses)
	slices.Sort(out)
	return out
}

// aeReadRows reads a list of row objects whose values are numbers, keeping
// the columns in order of first appearance (pandas' DataFrame(records)
// order). Every row must have every column. With need set, only those
// columns are read (and must be present in every row).
func aeReadRows(rows []json.RawMessage, key string, need []string) ([]string, map[string][]float64, error) {
	var columns []string
	data := map[string][]float64{}
	needed := map[string]bool{}
	for _, n := range need {
		needed[n] = true
	}
	for r, raw := range rows {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return nil, nil, tool.Invalidf("%s[%d] is not an object", key, r).With("key", key).With("row", r)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return nil, nil, tool.Invalidf("%s[%d]: %v", key, r, err).With("key", key).With("row", r)
			}
			name, _ := tok.(string)
			var num json.Number
			if err := dec.Decode(&num); err != nil {
				return nil, nil, tool.Invalidf("%s[%d][%q] is not a number", key, r, name).With("key", key).With("row", r)
			}
			if need != nil && !needed[name] {
				continue
			}
			v, err := num.Float64()
			if err != nil || math.IsInf(v, 0) {
				return nil, nil, tool.Invalidf("%s[%d][%q] is not a finite number", key, r, name).With("key", key).With("row", r)
			}
			col, ok := data[name]
			switch {
			case !ok && r > 0 && need == nil:
				return nil, nil, tool.Invalidf("%s[%d] has column %q, which %s[0] lacks", key, r, name, key).
					With("key", key).With("row", r)
			case !ok:
				columns = append(columns, name)
				col = make([]float64, 0, len(rows))
			case len(col) != r:
				return nil, nil, tool.Invalidf("%s[%d] gives %q twice", key, r, name).With("key", key).With("row", r)
			}
			data[name] = append(col, v)
		}
		want := columns
		if need != nil {
			want = need
		}
		for _, n := range want {
			if len(data[n]) != r+1 {
				return nil, nil, tool.Invalidf("%s[%d] has no value for %q", key, r, n).With("key", key).With("row", r)
			}
		}
	}
	return columns, data, nil
}

// aeFormulaRows turns n rows of columns into the rows package formula reads.
func aeFormulaRows(n int, columns []string, data map[string][]float64) formula.Rows {
	rows := make(formula.Rows, n)
	for i := range rows {
		rows[i] = make(map[string]any, len(columns))
		for _, c := range columns {
			rows[i][c] = data[c][i]
		}
	}
	return rows
}

// aeTransform applies the response transform in place, refusing values for
// which it is not defined.
func aeTransform(y []float64, transform string) error {
	bad := func(cond func(float64) bool, what string) error {
		for i, v := range y {
			if cond(v) {
				return tool.Invalidf("transform %q needs %s; run %d has %v", transform, what, i, v).
					With("key", "transform").With("row", i)
			}
		}
		return nil
	}
	switch transform {
	case "":
		return nil
	case "log":
		if err := bad(func(v float64) bool { return !(v > 0) }, "every response value > 0"); err != nil {
			return err
		}
		for i, v := range y {
			y[i] = math.Log(v)
		}
	case "sqrt":
		if err := bad(func(v float64) bool { return !(v >= 0) }, "every response value ≥ 0"); err != nil {
			return err
		}
		for i, v := range y {
			y[i] = math.Sqrt(v)
		}
	case "inverse":
		if err := bad(func(v float64) bool { return v == 0 }, "no response value of 0"); err != nil {
			return err
		}
		for i, v := range y {
			y[i] = 1 / v
		}
	case "box_cox":
		if err := bad(func(v float64) bool { return !(v > 0) }, "every response value > 0"); err != nil {
			return err
		}
		lambda, err := stats.BoxCoxMLE(y)
		if err != nil {
			return tool.Invalidf("transform \"box_cox\" cannot be applied: %v", err).With("key", "transform")
		}
		for i, v := range y {
			y[i] = stats.BoxCox(v, lambda)
		}
	default:
		return tool.Invalidf("unknown transform %q; use log, sqrt, inverse or box_cox", transform).With("key", "transform")
	}
	return nil
}

// aeBuildFormula is the seed's build_formula.
func aeBuildFormula(resp string, factors []string, model string) string {
	if strings.Contains(model, "~") {
		return model
	}
	joined := strings.Join(factors, " + ")
	var rhs string
	switch model {
	case "main_effects":
		rhs = joined
	case "interactions":
		rhs = "(" + joined + ") ** 2"
	case "quadratic":
		sq := make([]string, len(factors))
		for i, f := range factors {
			sq[i] = "I(" + f + " ** 2)"
		}
		rhs = "(" + joined + ") ** 2 + " + strings.Join(sq, " + ")
	default:
		rhs = model
	}
	return resp + " ~ " + rhs
}

func checkAnalyze(input json.RawMessage) error {
	_, err := decodeAnalyze(input)
	return err
}

func runAnalyze(ctx context.Context, input json.RawMessage) (any, error) {
	c, err := decodeAnalyze(input)
	if err != nil {
		return nil, err
	}
	return c.run(ctx)
}
