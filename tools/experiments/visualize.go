package experiments

import (
	"context"
	_ "embed"
	"encoding/json"
	"math"
	"slices"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/formula"
	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/tool"
)

// The visualize_doe tool: the seed's experiments/tools.py visualize_doe_tool
// over experiments/visualization (seed-spec §2.3, tool 28): 20 plot
// builders produce a ChartSpec (visualize_spec.go), which the Plotly and
// ECharts adapters render.

//go:embed schemas/visualize_doe.json
var visualizeSchema []byte

// Caps of visualize_doe.
const (
	// vizMaxRuns bounds design_data (the formula engine's row cap).
	vizMaxRuns = 10_000
	// vizMaxQuadFactors bounds the factors of the full second-order model
	// behind prediction_variance and fds_plot: 12 factors give 91 model
	// columns.
	vizMaxQuadFactors = 12
	// vizMaxRidgeFactors bounds ridge_trace, which solves a k×k system
	// 6000 times.
	vizMaxRidgeFactors = 20
)

// vizPlotTypes lists the plot types in the seed's enum order.
var vizPlotTypes = []string{
	"pareto", "half_normal", "daniel", "main_effects", "interaction", "perturbation", "residuals_vs_fitted",
	"normal_probability", "residuals_vs_order", "box_cox", "contour", "surface_3d", "prediction_variance", "cube_plot",
	"desirability_contour", "overlay", "ridge_trace", "steepest_ascent_path", "fds_plot", "power_curve",
}

func visualizeDOEDef() *tool.Def {
	return &tool.Def{
		Name:     "visualize_doe",
		Category: Category,
		Description: "Draw a design-of-experiments chart and return it three ways: data (a backend-neutral chart " +
			"specification: plot_type, title and panels of layers, each with mark, data rows and name), plotly (a " +
			"Plotly figure: data traces and layout) and echarts (an ECharts option; 3D charts use echarts-gl). " +
			"Plot types: pareto (|effects| sorted, cumulative %, Lenth ME/SME lines), half_normal and daniel (effects " +
			"against half-normal or normal quantiles, active effects labelled), main_effects and interaction (mean " +
			"response per level from design_data), perturbation (each factor swept from −1 to +1, others held), " +
			"residuals_vs_fitted, normal_probability (Filliben quantiles, least-squares line), residuals_vs_order, " +
			"box_cox (log-likelihood over λ from −3 to 3, optimum and confidence cut-off), contour and surface_3d (the " +
			"fitted model on a 50×50 grid of two factors, design points overlaid), prediction_variance (scaled " +
			"prediction variance of the full quadratic model on a 40×40 grid), cube_plot (model or mean response at the " +
			"8 corners of three factors), desirability_contour (composite Derringer–Suich desirability of the " +
			"responses in analysis_results.optimization), overlay (contour lines of each response), ridge_trace " +
			"(best response on spheres of radius 0 to 1.5), steepest_ascent_path (the path given in " +
			"analysis_results.steepest_path, or 10 steps of 0.5 along the linear coefficients), fds_plot " +
			"(fraction-of-design-space curve of the scaled prediction variance at 5000 uniform points) and " +
			"power_curve (power of the F test of one effect against Δ/σ from 0 to 4). " +
			"Inputs: analysis_results from fit_linear_model, analyze_experiment or optimize_responses (effects, " +
			"coefficients, residual_diagnostics, lenth_method, model_summary, optimization, steepest_path; other keys " +
			"ignored), and/or design_data (runs as objects, at most 10000) with response_column, factors_to_plot, " +
			"hold_values (coded values of the factors not plotted, default 0), highlight_significant (default true), " +
			"confidence_level (default 0.95) and backend (both, plotly or echarts; default both). " +
			"Where analysis_results lack what a chart needs and design_data has the response, a model is fitted by " +
			"least squares on the numeric factor columns (all but the response, RunOrder and Block): the full quadratic " +
			"model when a factor has 3 or more levels, else main effects and two-factor interactions, else main effects, " +
			"the first that is of full rank and leaves a residual degree of freedom (none needed for effect plots); " +
			"effects are twice its coefficients and Lenth's ME and SME are computed from them. " +
			"Differences from the original tool: a chart without the data it needs is an input_invalid error (the " +
			"original returned an empty chart titled \"… — no data\"); the model fit from design_data, the Lenth lines " +
			"for it, and the fallbacks below are additions (the original drew such charts empty): effects from " +
			"lenth_method or coefficients, coefficients written as fit_linear_model writes them ({name, estimate}), " +
			"factors taken from the coefficients' terms, n_params = df_model + 1 for the power curve, a single " +
			"response from coefficients for overlay; models are evaluated exactly (every term, any power, held factors " +
			"included; the original's perturbation plot matched quadratic terms by substring); a desirability chart " +
			"without goals maximises over the predicted range (the original used infinite limits and drew NaN); a " +
			"factors_to_plot entry that is not a factor is refused; the cube's edges are one path through the 12 " +
			"edges instead of pairs separated by nulls; ME/SME labels show α rounded (\"α=0.05\", not " +
			"\"α=0.050000000000000044\"); Plotly figures carry no template object and put 3D axis titles in the scene; " +
			"ECharts options draw grids as heatmaps on category axes with a visualMap, surfaces as [x, y, z] points, " +
			"the secondary Pareto axis, text labels, a legend and design points at the nearest grid cell; Plotly lines " +
			"marked show_points get markers; the data specification also lists x_grid, y_grid and z_matrix of grid " +
			"layers; default factors leave out RunOrder, Block and the response (a column named y when response_column " +
			"is not given, which the original counted as a factor in prediction_variance, fds_plot and power_curve); " +
			"residual and fitted pairs with a missing value are dropped; a chart whose data do not allow it (Box–Cox of " +
			"non-positive or constant responses, a design too large for its second-order model) is a tool_error; " +
			"design_data is capped at 10000 runs, prediction_variance and fds_plot at 12 factors and ridge_trace at 20 " +
			"(input_too_large); HEAD's square_plot is not provided. The contour jitter of replicated points and the " +
			"fds_plot sample use numpy's default_rng(0) and default_rng(42) streams, as the original.",
		Schema: visualizeSchema,
		Check: func(input json.RawMessage) error {
			v, err := decodeVisualize(input)
			if err != nil {
				return err
			}
			return v.check()
		},
		Example: `{"plot_type": "pareto", "analysis_results": {"effects": {"A": 10.5, "B": -7.5, "A:B": 2.5}}}`,
		Run:     runVisualizeDOE,
	}
}

type vizInput struct {
	PlotType             string            `json:"plot_type"`
	AnalysisResults      json.RawMessage   `json:"analysis_results"`
	DesignData           []vizDataRow      `json:"design_data"`
	ResponseColumn       string            `json:"response_column"`
	FactorsToPlot        []string          `json:"factors_to_plot"`
	HoldValues           vizOrderedNumbers `json:"hold_values"`
	HighlightSignificant *bool             `json:"highlight_significant"`
	ConfidenceLevel      *float64          `json:"confidence_level"`
	Backend              string            `json:"backend"`
}

// vizCtx is a decoded request and what has been derived from it.
type vizCtx struct {
	plotType   string
	analysis   vizAnalysis
	table      *vizTable // nil without design_data
	response   string    // response_column as given
	factors    []string  // factors_to_plot as given
	hold       map[string]float64
	highlight  bool
	confidence float64
	backend    string

	// The models fitted to design_data, computed once: [0] with a
	// residual degree of freedom, [1] possibly saturated.
	fits    [2]*vizFit
	fitErrs [2]error
}

func decodeVisualize(input json.RawMessage) (*vizCtx, error) {
	in := vizInput{Backend: "both"}
	if err := tool.Decode(input, &in); err != nil {
		return nil, err
	}
	v := &vizCtx{plotType: in.PlotType, response: in.ResponseColumn, factors: in.FactorsToPlot,
		hold: map[string]float64{}, highlight: true, confidence: 0.95, backend: in.Backend}
	if !slices.Contains(vizPlotTypes, v.plotType) {
		return nil, tool.Invalidf("unknown plot_type %q; available: %v", v.plotType, vizPlotTypes).With("key", "plot_type")
	}
	switch v.backend {
	case "both", "plotly", "echarts":
	default:
		return nil, tool.Invalidf("backend must be both, plotly or echarts, not %q", v.backend).With("key", "backend")
	}
	if in.HighlightSignificant != nil {
		v.highlight = *in.HighlightSignificant
	}
	if in.ConfidenceLevel != nil {
		v.confidence = *in.ConfidenceLevel
		if !(v.confidence > 0 && v.confidence < 1) {
			return nil, tool.Invalidf("confidence_level must be between 0 and 1, not %v", v.confidence).With("key", "confidence_level")
		}
	}
	for i, k := range in.HoldValues.keys {
		x := in.HoldValues.vals[i]
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, tool.Invalidf("hold_values[%q] must be a number", k).With("key", "hold_values")
		}
		v.hold[k] = x
	}
	if len(in.AnalysisResults) > 0 && string(in.AnalysisResults) != "null" {
		if err := json.Unmarshal(in.AnalysisResults, &v.analysis); err != nil {
			return nil, errcode.Wrap(errcode.InputInvalid, err, "analysis_results: %v", err).With("key", "analysis_results")
		}
	}
	if len(in.DesignData) > vizMaxRuns {
		return nil, errcode.New(errcode.InputTooLarge, "design_data has %d runs; the most is %d", len(in.DesignData), vizMaxRuns).
			With("key", "design_data").With("observed", len(in.DesignData)).With("limit", vizMaxRuns)
	}
	if len(in.DesignData) > 0 {
		v.table = newVizTable(in.DesignData)
		if len(v.table.columns) == 0 {
			return nil, tool.Invalidf("design_data has no columns").With("key", "design_data")
		}
	}
	if v.response != "" && v.table != nil && !v.table.has(v.response) {
		return nil, tool.Invalidf("response_column %q is not a column of design_data", v.response).With("key", "response_column")
	}
	seen := map[string]bool{}
	for _, name := range v.factors {
		if seen[name] {
			return nil, tool.Invalidf("factors_to_plot lists %q twice", name).With("key", "factors_to_plot")
		}
		seen[name] = true
	}
	return v, nil
}

func runVisualizeDOE(_ context.Context, input json.RawMessage) (any, error) {
	v, err := decodeVisualize(input)
	if err != nil {
		return nil, err
	}
	if err := v.check(); err != nil {
		return nil, err
	}
	chart, err := v.build()
	if err != nil {
		return nil, err
	}
	out := pydict.Dict{{"plot_type", v.plotType}, {"title", chart.title}, {"data", chart.dataDict()}}
	var plotly, echarts any
	if v.backend != "echarts" {
		plotly = chart.plotly()
	}
	if v.backend != "plotly" {
		echarts = chart.echarts()
	}
	out = append(out, pydict.Item{"plotly", plotly}, pydict.Item{"echarts", echarts})
	return pydict.HTMLEscaped{V: out}, nil // as it always was (see pydict.HTMLEscaped)
}

// build dispatches to the plot builder.
func (v *vizCtx) build() (*vizChart, error) {
	builders := map[string]func() (*vizChart, error){
		"pareto": v.pareto, "half_normal": v.halfNormal, "daniel": v.daniel,
		"main_effects": v.mainEffects, "interaction": v.interaction, "perturbation": v.perturbation,
		"residuals_vs_fitted": v.residualsVsFitted, "normal_probability": v.normalProbability,
		"residuals_vs_order": v.residualsVsOrder, "box_cox": v.boxCox,
		"contour": v.contour, "surface_3d": v.surface3D, "prediction_variance": v.predictionVariance,
		"cube_plot": v.cubePlot, "desirability_contour": v.desirabilityContour, "overlay": v.overlay,
		"ridge_trace": v.ridgeTrace, "steepest_ascent_path": v.steepestPath,
		"fds_plot": v.fdsPlot, "power_curve": v.powerCurve,
	}
	return builders[v.plotType]()
}

// ---------------------------------------------------------------------------
// What each chart needs (checked before anything is computed)

// check refuses a request whose chart lacks its inputs, cheaply: it looks
// at which inputs are present, not at what a fit would give.
func (v *vizCtx) check() error {
	switch v.plotType {
	case "pareto", "half_normal", "daniel":
		if !v.hasEffects() && !v.canFit() {
			return tool.Invalidf("%s needs analysis_results.effects (or lenth_method or coefficients), or design_data with a response", v.plotType)
		}
	case "main_effects", "interaction":
		if v.table == nil {
			return tool.Invalidf("%s needs design_data with a response column", v.plotType)
		}
		resp := v.dataResponse()
		factors := v.dataFactors(resp)
		if len(factors) == 0 {
			return tool.Invalidf("%s: design_data has no factor column besides the response %q", v.plotType, resp)
		}
		if v.plotType == "interaction" && len(factors) < 2 {
			return tool.Invalidf("interaction needs two factors")
		}
		if err := v.knownFactors(v.table.columns, "design_data"); err != nil {
			return err
		}
	case "perturbation", "contour", "surface_3d", "ridge_trace":
		if !v.hasCoefficients() && !v.canFit() {
			return tool.Invalidf("%s needs analysis_results.coefficients, or design_data with a response to fit a model", v.plotType)
		}
		return v.checkModelFactors(map[string]int{"perturbation": 1, "contour": 2, "surface_3d": 2, "ridge_trace": 1}[v.plotType])
	case "cube_plot":
		if !v.hasCoefficients() && v.table == nil {
			return tool.Invalidf("cube_plot needs analysis_results.coefficients, or design_data with a response")
		}
		if v.hasCoefficients() {
			return v.checkModelFactors(3)
		}
	case "desirability_contour", "overlay":
		if !v.hasOptimization() && !v.hasCoefficients() && !v.canFit() {
			return tool.Invalidf("%s needs analysis_results.optimization.responses or coefficients, or design_data with a response", v.plotType)
		}
		return v.checkModelFactors(2)
	case "steepest_ascent_path":
		if v.analysis.SteepestPath != nil && len(v.analysis.SteepestPath.Steps) > 0 {
			break
		}
		if !v.hasCoefficients() && !v.canFit() {
			return tool.Invalidf("steepest_ascent_path needs analysis_results.steepest_path or coefficients, or design_data with a response")
		}
		return v.checkModelFactors(1)
	case "residuals_vs_fitted", "normal_probability", "residuals_vs_order":
		if !v.hasResiduals() && !v.canFit() {
			return tool.Invalidf("%s needs analysis_results.residual_diagnostics, or design_data with a response to fit a model", v.plotType)
		}
	case "box_cox":
		if !(v.table != nil && v.response != "") && !v.hasResiduals() && !v.canFit() {
			return tool.Invalidf("box_cox needs design_data with response_column, or analysis_results.residual_diagnostics")
		}
	case "prediction_variance", "fds_plot":
		if v.table == nil {
			return tool.Invalidf("%s needs design_data", v.plotType)
		}
		factors := v.designFactors()
		if len(factors) < 2 {
			return tool.Invalidf("%s needs at least two factor columns in design_data", v.plotType)
		}
		if len(factors) > vizMaxQuadFactors {
			return errcode.New(errcode.InputTooLarge, "%s models %d factors; the most is %d (choose some with factors_to_plot)",
				v.plotType, len(factors), vizMaxQuadFactors).With("key", "factors_to_plot").With("limit", vizMaxQuadFactors)
		}
		for _, name := range factors {
			if !v.table.has(name) {
				return tool.Invalidf("factor %q is not a column of design_data", name).With("key", "factors_to_plot")
			}
			if _, ok := v.table.numeric(name); !ok {
				return tool.Invalidf("factor %q must be numeric (coded)", name).With("key", "design_data")
			}
		}
	case "power_curve":
		if v.table == nil && !v.hasSummarySize() {
			return tool.Invalidf("power_curve needs design_data, or analysis_results.model_summary with n_obs and df_model (or n_params)")
		}
	}
	return nil
}

// checkModelFactors refuses, before anything is fitted, a model chart whose
// factors_to_plot are not factors of the model, or that has fewer than
// min factors. The model's factors are the variables of the coefficients
// (of the optimisation responses for desirability and overlay charts),
// else the numeric columns a fit would use.
func (v *vizCtx) checkModelFactors(min int) error {
	var vars []string
	switch {
	case (v.plotType == "desirability_contour" || v.plotType == "overlay") && v.hasOptimization():
		all := &vizModel{}
		for _, r := range v.analysis.Optimization.Responses {
			all.terms = append(all.terms, vizModelFromCoefficients(r.Coefficients).terms...)
		}
		vars = all.variables()
	case v.hasCoefficients():
		vars = vizModelFromCoefficients(v.analysis.Coefficients).variables()
	default:
		response := v.fitResponse()
		for _, c := range v.table.columns {
			if _, ok := v.table.numeric(c); ok && c != response && !vizSkipColumns[c] {
				vars = append(vars, c)
			}
		}
	}
	n := len(vars)
	if len(v.factors) > 0 {
		if err := v.knownFactors(vars, "model"); err != nil {
			return err
		}
		n = len(v.factors)
	} else if fv := v.formulaVariables(); len(fv) > 0 {
		n = len(fv)
	}
	if n < min {
		return tool.Invalidf("%s needs at least %d factor(s); the model has %d", v.plotType, min, n)
	}
	return nil
}

// knownFactors refuses factors_to_plot entries that are not among names.
func (v *vizCtx) knownFactors(names []string, where string) error {
	for _, f := range v.factors {
		if !slices.Contains(names, f) {
			return tool.Invalidf("factors_to_plot: %q is not a factor of the %s", f, where).With("key", "factors_to_plot")
		}
	}
	return nil
}

func (v *vizCtx) hasEffects() bool {
	if len(v.analysis.Effects.keys) > 0 || v.hasCoefficients() {
		return true
	}
	return v.analysis.LenthMethod != nil && len(v.analysis.LenthMethod.Effects) > 0
}

func (v *vizCtx) hasCoefficients() bool {
	for _, c := range v.analysis.Coefficients {
		if _, _, ok := c.pair(); ok {
			return true
		}
	}
	return false
}

func (v *vizCtx) hasResiduals() bool {
	d := v.analysis.ResidualDiagnostics
	return d != nil && len(d.Residuals) > 0 && len(d.FittedValues) > 0
}

func (v *vizCtx) hasOptimization() bool {
	return v.analysis.Optimization != nil && len(v.analysis.Optimization.Responses) > 0
}

func (v *vizCtx) hasSummarySize() bool {
	s := v.analysis.ModelSummary
	return s != nil && s.NObs != nil && (s.NParams != nil || s.DfModel != nil)
}

// fitResponse is the response a model is fitted to: response_column, or a
// column named y.
func (v *vizCtx) fitResponse() string {
	if v.response != "" {
		return v.response
	}
	if v.table != nil && v.table.has("y") {
		return "y"
	}
	return ""
}

// canFit reports whether a model can be fitted from design_data.
func (v *vizCtx) canFit() bool { return v.table != nil && v.fitResponse() != "" }

// dataResponse is the seed's _infer_response: response_column, else y,
// else the last column.
func (v *vizCtx) dataResponse() string {
	if r := v.fitResponse(); r != "" {
		return r
	}
	return v.table.columns[len(v.table.columns)-1]
}

// vizSkipColumns are design columns that are never factors (the seed's
// design tools drop them).
var vizSkipColumns = map[string]bool{"RunOrder": true, "Block": true}

// dataFactors are the factors of a data chart: factors_to_plot, else the
// model formula's variables, else the columns other than the response.
func (v *vizCtx) dataFactors(response string) []string {
	if len(v.factors) > 0 {
		return v.factors
	}
	if vars := v.formulaVariables(); len(vars) > 0 {
		return vars
	}
	var out []string
	for _, c := range v.table.columns {
		if c != response && !vizSkipColumns[c] {
			out = append(out, c)
		}
	}
	return out
}

// designFactors are the factors of prediction_variance, fds_plot and
// power_curve: factors_to_plot, else every column but the response
// (response_column, or a column named y), RunOrder and Block.
func (v *vizCtx) designFactors() []string {
	if len(v.factors) > 0 {
		return v.factors
	}
	response := v.fitResponse()
	var out []string
	for _, c := range v.table.columns {
		if c != response && !vizSkipColumns[c] {
			out = append(out, c)
		}
	}
	return out
}

// formulaVariables are the right-hand-side variables of
// analysis_results.model_summary.formula, when it parses.
func (v *vizCtx) formulaVariables() []string {
	s := v.analysis.ModelSummary
	if s == nil || s.Formula == "" {
		return nil
	}
	fm, err := formula.Parse(s.Formula, nil)
	if err != nil {
		return nil
	}
	var out []string
	for _, name := range fm.Variables() {
		if name != fm.Response {
			out = append(out, name)
		}
	}
	return out
}

// model returns the model the surface charts evaluate: the coefficients of
// analysis_results, else one fitted to design_data.
func (v *vizCtx) model() (*vizModel, error) {
	if v.hasCoefficients() {
		return vizModelFromCoefficients(v.analysis.Coefficients), nil
	}
	fit, err := v.fitted(false)
	if err != nil {
		return nil, err
	}
	return fit.model, nil
}

// modelFactors are the factors of a model chart: factors_to_plot (each of
// which must be a factor of the model), else the formula's variables, else
// the model's.
func (v *vizCtx) modelFactors(m *vizModel) ([]string, error) {
	vars := m.variables()
	if len(v.factors) > 0 {
		if err := v.knownFactors(vars, "model"); err != nil {
			return nil, err
		}
		return v.factors, nil
	}
	if fv := v.formulaVariables(); len(fv) > 0 {
		return fv, nil
	}
	return vars, nil
}

// effects returns the effects in the order given, dropping missing ones,
// and Lenth's results when they are known: lenth_method as given, or
// computed for effects of a model fitted here.
func (v *vizCtx) effects() (names []string, vals []float64, lenth *vizLenth, err error) {
	a := v.analysis
	switch {
	case len(a.Effects.keys) > 0:
		for i, k := range a.Effects.keys {
			if x := a.Effects.vals[i]; !math.IsNaN(x) && !math.IsInf(x, 0) {
				names, vals = append(names, k), append(vals, x)
			}
		}
	case a.LenthMethod != nil && len(a.LenthMethod.Effects) > 0:
		for _, e := range a.LenthMethod.Effects {
			if e.Effect != nil && !math.IsNaN(float64(*e.Effect)) && !math.IsInf(float64(*e.Effect), 0) {
				names, vals = append(names, e.Term), append(vals, float64(*e.Effect))
			}
		}
	case v.hasCoefficients():
		for _, c := range a.Coefficients {
			if name, x, ok := c.pair(); ok && name != "Intercept" {
				names, vals = append(names, name), append(vals, 2*x)
			}
		}
	default:
		fit, err := v.fitted(true)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, t := range fit.model.terms {
			if len(t.pieces) > 0 {
				names, vals = append(names, t.name), append(vals, 2*t.coef)
			}
		}
		if len(vals) > 0 {
			r := stats.Lenth(vals)
			lenth = &vizLenth{me: r.ME, sme: r.SME, active: map[string]bool{}}
			for i, e := range vals {
				if math.Abs(e) > r.ME {
					lenth.active[names[i]] = true
				}
			}
		}
	}
	if a.LenthMethod != nil {
		lenth = &vizLenth{me: math.NaN(), sme: math.NaN(), active: map[string]bool{}}
		if a.LenthMethod.ME != nil {
			lenth.me = float64(*a.LenthMethod.ME)
		}
		if a.LenthMethod.SME != nil {
			lenth.sme = float64(*a.LenthMethod.SME)
		}
		for _, e := range a.LenthMethod.Effects {
			if e.ActiveME {
				lenth.active[e.Term] = true
			}
		}
	}
	if len(vals) == 0 {
		return nil, nil, nil, tool.Errorf("there are no effects to plot")
	}
	return names, vals, lenth, nil
}

// vizLenth is what the effect charts use of Lenth's method.
type vizLenth struct {
	me, sme float64 // NaN when unknown
	active  map[string]bool
}

// residuals returns residuals and fitted values: residual_diagnostics as
// given (pairs with a missing value dropped), else those of a fitted
// model.
func (v *vizCtx) residuals() (resid, fitted []float64, err error) {
	if v.hasResiduals() {
		d := v.analysis.ResidualDiagnostics
		for i := 0; i < len(d.Residuals) && i < len(d.FittedValues); i++ {
			r, f := float64(d.Residuals[i]), float64(d.FittedValues[i])
			if math.IsNaN(r) || math.IsNaN(f) || math.IsInf(r, 0) || math.IsInf(f, 0) {
				continue
			}
			resid, fitted = append(resid, r), append(fitted, f)
		}
		if len(resid) == 0 {
			return nil, nil, tool.Errorf("residual_diagnostics has no complete pair of residual and fitted value")
		}
		return resid, fitted, nil
	}
	fit, err := v.fitted(false)
	if err != nil {
		return nil, nil, err
	}
	return fit.resid, fit.fittedValues, nil
}
