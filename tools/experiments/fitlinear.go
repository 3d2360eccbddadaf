package experiments

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"math"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/formula"
	"github.com/toolq/toolq/tools/internal/ols"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

// The fit_linear_model tool: the seed's experiments/tools.py
// fit_linear_model over experiments/models.py lm() (seed-spec §2.3, tool
// 22): a patsy design from the formula, aliased columns dropped, then
// statsmodels OLS. The formula engine is tools/internal/formula and the
// fit tools/internal/ols.

//go:embed schemas/fit_linear_model.json
var fitLinearSchema []byte

// fitLinearExample is the seed's own example, replicated so that the model
// has residual degrees of freedom.
const fitLinearExample = `{"formula": "y ~ A*B", "data": [` +
	`{"A": -1, "B": -1, "y": 28}, {"A": 1, "B": -1, "y": 36}, {"A": -1, "B": 1, "y": 18}, {"A": 1, "B": 1, "y": 31}, ` +
	`{"A": -1, "B": -1, "y": 27}, {"A": 1, "B": -1, "y": 34}, {"A": -1, "B": 1, "y": 19}, {"A": 1, "B": 1, "y": 30}]}`

// fitLinearModelDef returns the fit_linear_model definition.
func fitLinearModelDef() *tool.Def {
	return &tool.Def{
		Name:     "fit_linear_model",
		Category: Category,
		Description: "Fit a linear model to experimental data by ordinary least squares from a formula in Wilkinson notation, " +
			"e.g. 'y ~ A*B*C' for all main effects and interactions, 'y ~ A + B' for main effects only, 'y ~ (A + B + C)**2' " +
			"for main effects and two-factor interactions, 'y ~ A*B + I(A**2)' with a squared term. " +
			"Input: formula (response on the left; + adds terms, - removes them, '- 1' drops the intercept, : is an interaction, " +
			"* is a + b + a:b, ** or ^ n expands interactions up to order n; terms are column names, I(x ** k), C(x) for a " +
			"categorical factor, Q(\"name\") for other column names; at most 4096 characters and 100 terms) and data (one object " +
			"per run: numbers for numeric factors and the response, strings or booleans for categorical factors, which get " +
			"treatment coding against their first level in sorted order; a run with a null or absent value in a column the " +
			"formula uses is left out; 2 to 10000 runs). Terms are expanded and named as patsy does (A*B*C gives A, B, A:B, C, " +
			"A:C, B:C, A:B:C; a categorical level is named like a[T.b]). Before fitting, aliased columns are dropped as in the " +
			"original tool: among columns whose correlation exceeds 0.995 in absolute value, only the one of the lowest-order " +
			"term is kept (the first on a tie), and a constant column beside the intercept is dropped. " +
			"Output: coefficients (name and estimate of every model coefficient except the intercept, in model order), r2, and " +
			"summary_text (a statsmodels-style OLS summary: model statistics, the coefficient table with standard errors, t, " +
			"P>|t| and 95% intervals, and residual diagnostics; it has no Date or Time rows, so the same input always gives the " +
			"same text). Also: parameters (every coefficient, intercept included, with std_error, t_value, p_value, ci_low and " +
			"ci_high at 95%), aliased_columns (the columns dropped as aliases), r2_adj, residual_std_error, f_statistic, " +
			"f_p_value, log_likelihood, aic, bic, n_obs (runs used), df_model and df_residual. With no residual degrees of " +
			"freedom (a saturated design) standard errors, t, p-values and intervals are null. " +
			"Differences from the original tool: the formula is read by a parser of its own that evaluates nothing (the " +
			"original passed it to patsy, which runs Python code; its later allow-list refused I(), C() and Q(), which are " +
			"accepted here) and ^ means a power; a formula or data the model cannot use (unknown or mixed-type columns, a " +
			"non-numeric response, syntax errors, which name the character offset) is refused as input_invalid, and the caps " +
			"(4096 characters, 100 terms or model columns including the intercept, 10000 runs) as input_too_large, where the " +
			"original returned an error message; summary_text omits the Date and Time rows and keeps the Df Model row, which " +
			"the original overwrote with the residual standard error; alias detection maps each column of a multi-column " +
			"categorical term to that term (the original matched columns to terms by position, which went wrong for such terms).",
		Schema:  fitLinearSchema,
		Check:   func(input json.RawMessage) error { _, _, err := decodeFitLinear(input); return err },
		Run:     runFitLinearModel,
		Example: fitLinearExample,
	}
}

// decodeFitLinear decodes the input, parses the formula and builds the
// model matrix, returning input errors: everything the model needs is
// checked here, so Check refuses what Run could not use.
func decodeFitLinear(input json.RawMessage) (*formula.Formula, *formula.Design, error) {
	var in struct {
		Formula *string         `json:"formula"`
		Data    json.RawMessage `json:"data"`
	}
	if err := tool.Decode(input, &in); err != nil {
		return nil, nil, err
	}
	if in.Formula == nil {
		return nil, nil, tool.Invalidf("Missing required parameter 'formula'.").With("key", "formula")
	}
	if len(bytes.TrimSpace(in.Data)) == 0 {
		return nil, nil, tool.Invalidf("Missing required parameter 'data'.").With("key", "data")
	}
	dec := json.NewDecoder(bytes.NewReader(in.Data))
	dec.UseNumber() // integer literals stay integers for categorical level names
	var rows formula.Rows
	if err := dec.Decode(&rows); err != nil {
		return nil, nil, tool.Invalidf("data must be a list of objects, one per run").With("key", "data")
	}
	// The size of data is bounded by the registry's cell cap before this
	// runs, so decoding it before counting the runs costs little.
	if n := len(rows); n > formula.DefaultMaxRows {
		return nil, nil, errcode.New(errcode.InputTooLarge, "data has %d rows; the cap is %d", n, formula.DefaultMaxRows).
			With("key", "data").With("limit", formula.DefaultMaxRows).With("observed", n)
	}
	if len(rows) < 2 {
		return nil, nil, tool.Invalidf("data needs at least 2 runs, got %d", len(rows)).With("key", "data")
	}
	for i, r := range rows {
		if r == nil {
			return nil, nil, tool.Invalidf("data[%d] is not an object", i).With("key", "data").With("row", i)
		}
	}
	f, err := formula.Parse(*in.Formula, nil)
	if err != nil {
		return nil, nil, err
	}
	if f.Response == "" {
		return nil, nil, tool.Invalidf("the formula has no response: write it as 'y ~ …' with the response column on the left").
			With("key", "formula")
	}
	d, err := f.Build(rows, nil)
	if err != nil {
		return nil, nil, err
	}
	return f, d, nil
}

type fitCoefficient struct {
	Name     string      `json:"name"`
	Estimate pyfmt.Float `json:"estimate"`
}

type fitParameter struct {
	Name     string      `json:"name"`
	Estimate pyfmt.Float `json:"estimate"`
	StdError pyfmt.Float `json:"std_error"`
	TValue   pyfmt.Float `json:"t_value"`
	PValue   pyfmt.Float `json:"p_value"`
	CILow    pyfmt.Float `json:"ci_low"`
	CIHigh   pyfmt.Float `json:"ci_high"`
}

type fitLinearOutput struct {
	Coefficients     []fitCoefficient `json:"coefficients"`
	R2               pyfmt.Float      `json:"r2"`
	SummaryText      string           `json:"summary_text"`
	Parameters       []fitParameter   `json:"parameters"`
	AliasedColumns   []string         `json:"aliased_columns"`
	R2Adj            pyfmt.Float      `json:"r2_adj"`
	ResidualStdError pyfmt.Float      `json:"residual_std_error"`
	FStatistic       pyfmt.Float      `json:"f_statistic"`
	FPValue          pyfmt.Float      `json:"f_p_value"`
	LogLikelihood    pyfmt.Float      `json:"log_likelihood"`
	AIC              pyfmt.Float      `json:"aic"`
	BIC              pyfmt.Float      `json:"bic"`
	NObs             int              `json:"n_obs"`
	DfModel          int              `json:"df_model"`
	DfResidual       int              `json:"df_residual"`
}

func runFitLinearModel(ctx context.Context, input json.RawMessage) (any, error) {
	f, d, err := decodeFitLinear(input)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dropped := ols.AliasedColumns(d.X, d.Degrees(), ols.DefaultAliasThreshold)
	aliased := make([]string, 0, len(dropped))
	for _, j := range dropped {
		aliased = append(aliased, d.Columns[j])
	}
	if len(dropped) > 0 {
		d = d.Drop(dropped)
	}
	r, err := ols.FitDesign(d)
	if err != nil {
		return nil, err
	}
	out := fitLinearOutput{
		Coefficients:     []fitCoefficient{},
		R2:               pyfmt.Float(r.RSquared),
		SummaryText:      r.Summary(ols.SummaryOptions{DepVar: formula.Quote(f.Response)}),
		AliasedColumns:   aliased,
		R2Adj:            pyfmt.Float(r.RSquaredAdj),
		ResidualStdError: pyfmt.Float(math.Sqrt(r.Scale)),
		FStatistic:       pyfmt.Float(r.FValue),
		FPValue:          pyfmt.Float(r.FPValue),
		LogLikelihood:    pyfmt.Float(r.LogLike),
		AIC:              pyfmt.Float(r.AIC),
		BIC:              pyfmt.Float(r.BIC),
		NObs:             r.NObs,
		DfModel:          r.DfModel,
		DfResidual:       r.DfResid,
	}
	lo, hi := r.ConfInt(0.05)
	for j, name := range r.Names {
		b := r.Params[j]
		if name != "Intercept" && !math.IsNaN(b) {
			out.Coefficients = append(out.Coefficients, fitCoefficient{Name: name, Estimate: pyfmt.Float(b)})
		}
		p := fitParameter{
			Name: name, Estimate: pyfmt.Float(b), StdError: pyfmt.Float(r.BSE[j]),
			TValue: pyfmt.Float(r.TValues[j]), PValue: pyfmt.Float(r.PValues[j]),
			CILow: pyfmt.Float(lo[j]), CIHigh: pyfmt.Float(hi[j]),
		}
		if r.DfResid == 0 {
			// No residual degrees of freedom: statsmodels reports infinite
			// standard errors and t = 0, which say nothing; null says so.
			nan := pyfmt.Float(math.NaN())
			p.StdError, p.TValue, p.PValue, p.CILow, p.CIHigh = nan, nan, nan, nan, nan
		}
		out.Parameters = append(out.Parameters, p)
	}
	return out, nil
}
