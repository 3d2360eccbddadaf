package experiments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/tool"
)

// vizRun runs visualize_doe as the registry does after the schema.
func vizRun(t *testing.T, input string) (map[string]any, error) {
	t.Helper()
	d := visualizeDOEDef()
	if err := d.Check(json.RawMessage(input)); err != nil {
		return nil, err
	}
	v, err := d.Run(context.Background(), json.RawMessage(input))
	if err != nil {
		return nil, err
	}
	b, err := tool.Marshal(v)
	if err != nil {
		t.Fatalf("result does not encode: %v", err)
	}
	if !json.Valid(b) {
		t.Fatalf("invalid JSON")
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out, nil
}

func vizMust(t *testing.T, input string) map[string]any {
	t.Helper()
	out, err := vizRun(t, input)
	if err != nil {
		t.Fatalf("%s: %v", input, err)
	}
	return out
}

// A 2³ factorial in Yates order plus three centre runs, y = 50 + 8A − 5B +
// 3AB + 2C + curvature at the centre and a little noise.
var vizFactorial = func() string {
	var rows []string
	noise := []float64{0.3, -0.2, 0.1, -0.4, 0.2, 0.5, -0.1, -0.3, 0.4, -0.2, 0.1}
	i := 0
	add := func(a, b, c float64) {
		y := 50 + 8*a - 5*b + 3*a*b + 2*c + noise[i]
		if a == 0 {
			y -= 4
		}
		rows = append(rows, fmt.Sprintf(`{"A": %g, "B": %g, "C": %g, "y": %g}`, a, b, c, y))
		i++
	}
	for r := range 8 {
		add(float64(2*(r&1)-1), float64(2*(r>>1&1)-1), float64(2*(r>>2&1)-1))
	}
	for range 3 {
		add(0, 0, 0)
	}
	return "[" + strings.Join(rows, ", ") + "]"
}()

func vizArr(t *testing.T, v any, what string) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("%s is %T, not an array", what, v)
	}
	return a
}

func vizObj(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	o, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s is %T, not an object", what, v)
	}
	return o
}

// vizCheckStructure checks a result against itself: the specification's
// panels and layers, Plotly traces (one per layer, with a type, x and y as
// long as the layer's rows, or a grid's dimensions) and axis titles, and
// ECharts series (one per layer, with a type and data) and axis names.
func vizCheckStructure(t *testing.T, plotType string, out map[string]any) {
	t.Helper()
	if out["plot_type"] != plotType {
		t.Fatalf("plot_type %v", out["plot_type"])
	}
	title, _ := out["title"].(string)
	if title == "" {
		t.Fatalf("%s: no title", plotType)
	}
	spec := vizObj(t, out["data"], "data")
	if spec["plot_type"] != plotType || spec["title"] != title {
		t.Errorf("%s: data header %v %v", plotType, spec["plot_type"], spec["title"])
	}
	panels := vizArr(t, spec["panels"], "panels")
	if len(panels) == 0 {
		t.Fatalf("%s: no panels", plotType)
	}
	var layers []map[string]any
	for _, p := range panels {
		for _, l := range vizArr(t, vizObj(t, p, "panel")["layers"], "layers") {
			layer := vizObj(t, l, "layer")
			if layer["mark"] == "" || layer["name"] == nil {
				t.Errorf("%s: layer %v", plotType, layer)
			}
			layers = append(layers, layer)
		}
	}
	if len(layers) == 0 {
		t.Fatalf("%s: no layers", plotType)
	}
	// The first layer has something to draw.
	if rows := vizArr(t, layers[0]["data"], "layer data"); len(rows) == 0 && layers[0]["z_matrix"] == nil {
		t.Errorf("%s: first layer is empty", plotType)
	}

	plotly := vizObj(t, out["plotly"], "plotly")
	traces := vizArr(t, plotly["data"], "plotly data")
	if len(traces) != len(layers) {
		t.Fatalf("%s: %d traces for %d layers", plotType, len(traces), len(layers))
	}
	for i, tr := range traces {
		trace := vizObj(t, tr, "trace")
		typ, _ := trace["type"].(string)
		if !slices.Contains([]string{"bar", "scatter", "contour", "heatmap", "surface", "scatter3d"}, typ) {
			t.Fatalf("%s: trace type %q", plotType, typ)
		}
		if z, ok := layers[i]["z_matrix"]; ok {
			zm := vizArr(t, trace["z"], "z")
			if len(zm) != len(vizArr(t, trace["y"], "y")) || len(vizArr(t, zm[0], "z row")) != len(vizArr(t, trace["x"], "x")) ||
				len(zm) != len(vizArr(t, z, "z_matrix")) {
				t.Errorf("%s: grid trace dimensions", plotType)
			}
			continue
		}
		n := len(vizArr(t, layers[i]["data"], "rows"))
		for _, k := range []string{"x", "y"} {
			if got := len(vizArr(t, trace[k], k)); got != n {
				t.Errorf("%s trace %d: %d %s values for %d rows", plotType, i, got, k, n)
			}
		}
		if typ == "scatter3d" && len(vizArr(t, trace["z"], "z")) != n {
			t.Errorf("%s: scatter3d z length", plotType)
		}
	}
	layout := vizObj(t, plotly["layout"], "layout")
	titleText := func(o any) string {
		m, _ := o.(map[string]any)
		tt, _ := m["title"].(map[string]any)
		s, _ := tt["text"].(string)
		return s
	}
	if s := titleText(layout); s == "" {
		t.Errorf("%s: plotly layout without title", plotType)
	}
	firstPanel := vizObj(t, panels[0], "panel")
	_ = firstPanel
	if scene, ok := layout["scene"].(map[string]any); ok {
		for _, ax := range []string{"xaxis", "yaxis", "zaxis"} {
			if titleText(scene[ax]) == "" {
				t.Errorf("%s: scene %s has no title", plotType, ax)
			}
		}
	} else {
		for i := range panels {
			x, y := "xaxis", "yaxis"
			if i > 0 {
				x, y = fmt.Sprint("xaxis", i+1), fmt.Sprint("yaxis", i+1)
			}
			if titleText(layout[x]) == "" || titleText(layout[y]) == "" {
				t.Errorf("%s: plotly %s/%s titles missing: %v %v", plotType, x, y, layout[x], layout[y])
			}
		}
	}

	echarts := vizObj(t, out["echarts"], "echarts")
	series := vizArr(t, echarts["series"], "series")
	if len(series) != len(layers) {
		t.Fatalf("%s: %d series for %d layers", plotType, len(series), len(layers))
	}
	for i, s := range series {
		so := vizObj(t, s, "series")
		typ, _ := so["type"].(string)
		if !slices.Contains([]string{"bar", "line", "scatter", "heatmap", "surface", "scatter3D", "line3D"}, typ) {
			t.Fatalf("%s: series type %q", plotType, typ)
		}
		data := vizArr(t, so["data"], "series data")
		if z, ok := layers[i]["z_matrix"]; ok {
			zm := vizArr(t, z, "z_matrix")
			if len(data) != len(zm)*len(vizArr(t, zm[0], "row")) {
				t.Errorf("%s: %d grid points for a %d-row grid", plotType, len(data), len(zm))
			}
		} else if len(data) != len(vizArr(t, layers[i]["data"], "rows")) {
			t.Errorf("%s series %d: %d points for %d rows", plotType, i, len(data), len(vizArr(t, layers[i]["data"], "rows")))
		}
	}
	if len(panels) > 1 {
		grids := vizArr(t, echarts["grid"], "grids")
		if len(grids) != len(panels) {
			t.Errorf("%s: %d grids for %d panels", plotType, len(grids), len(panels))
		}
		k := 0
		for p, panel := range panels {
			for range vizArr(t, vizObj(t, panel, "panel")["layers"], "layers") {
				so := vizObj(t, series[k], "series")
				if so["xAxisIndex"] != float64(p) || so["yAxisIndex"] != float64(p) {
					t.Errorf("%s: series %d of panel %d on axes %v/%v", plotType, k, p, so["xAxisIndex"], so["yAxisIndex"])
				}
				k++
			}
		}
	}
	if _, ok := echarts["grid3D"]; ok {
		for _, ax := range []string{"xAxis3D", "yAxis3D", "zAxis3D"} {
			if vizObj(t, echarts[ax], ax)["name"] == "" {
				t.Errorf("%s: %s unnamed", plotType, ax)
			}
		}
	} else {
		named := func(v any) bool {
			switch a := v.(type) {
			case map[string]any:
				s, _ := a["name"].(string)
				return s != ""
			case []any:
				for _, x := range a {
					if m, _ := x.(map[string]any); m["name"] == "" {
						return false
					}
				}
				return len(a) > 0
			}
			return false
		}
		if !named(echarts["xAxis"]) || !named(echarts["yAxis"]) {
			t.Errorf("%s: echarts axes unnamed: %v %v", plotType, echarts["xAxis"], echarts["yAxis"])
		}
	}
	if vizObj(t, echarts["title"], "title")["text"] == "" {
		t.Errorf("%s: echarts title", plotType)
	}
}

// TestVisualizeEveryPlotFromDesignData: every plot type renders for a
// small factorial given only design_data and the response column.
func TestVisualizeEveryPlotFromDesignData(t *testing.T) {
	t.Parallel()
	for _, pt := range vizPlotTypes {
		t.Run(pt, func(t *testing.T) {
			t.Parallel()
			out := vizMust(t, `{"plot_type": "`+pt+`", "design_data": `+vizFactorial+`, "response_column": "y"}`)
			vizCheckStructure(t, pt, out)
		})
	}
}

// vizAnalysisExample is an analyze_experiment-like result for the same
// factorial (values rounded), plus optimisation responses and a path.
const vizAnalysisExample = `{
	"model_summary": {"formula": "y ~ (A + B + C) ** 2", "n_obs": 11, "df_model": 6},
	"effects": {"A": 16.0, "B": -10.1, "C": 4.2, "A:B": 6.1, "A:C": 0.3, "B:C": -0.2},
	"lenth_method": {"PSE": 0.6, "ME": 1.9, "SME": 4.5, "effects": [
		{"term": "A", "effect": 16.0, "active_ME": true, "active_SME": true},
		{"term": "B", "effect": -10.1, "active_ME": true, "active_SME": true},
		{"term": "C", "effect": 4.2, "active_ME": true, "active_SME": false},
		{"term": "A:B", "effect": 6.1, "active_ME": true, "active_SME": true},
		{"term": "A:C", "effect": 0.3, "active_ME": false, "active_SME": false},
		{"term": "B:C", "effect": -0.2, "active_ME": false, "active_SME": false}]},
	"coefficients": [
		{"term": "Intercept", "coefficient": 48.9, "std_error": 0.3},
		{"term": "A", "coefficient": 8.0}, {"term": "B", "coefficient": -5.05}, {"term": "C", "coefficient": 2.1},
		{"term": "A:B", "coefficient": 3.05}, {"term": "A:C", "coefficient": 0.15}, {"term": "B:C", "coefficient": -0.1},
		{"term": "I(A ** 2)", "coefficient": -2.0}],
	"residual_diagnostics": {"residuals": [0.3, -0.2, 0.1, null, 0.2, 0.5, -0.1, -0.3], "fitted_values": [29, 52, 38, 61, 33, 56, 42, 65],
		"cooks_distance": [0.1]},
	"optimization": {"responses": [
		{"name": "yield", "goal": "maximize", "low": 40, "high": 60, "coefficients": [{"term": "Intercept", "coefficient": 50}, {"term": "A", "coefficient": 8}, {"term": "B", "coefficient": -5}]},
		{"name": "cost", "goal": "minimize", "low": 10, "high": 30, "coefficients": [{"term": "Intercept", "coefficient": 20}, {"term": "A", "coefficient": 4}, {"term": "B", "coefficient": 2}]}]},
	"steepest_path": {"direction": "descent", "direction_vector": {"A": -0.8, "B": 0.6}, "step_size": 0.5, "steps": [
		{"step": 0, "coded": {"A": 0, "B": 0}, "predicted_response": 50},
		{"step": 1, "coded": {"A": -0.4, "B": 0.3}, "predicted_response": 45, "actual_response": 46},
		{"step": 2, "coded": {"A": -0.8, "B": 0.6}, "predicted_response": 40}]},
	"anova_table": [{"source": "A", "df": 1}]
}`

// TestVisualizeEveryPlotFromAnalysis: every plot type renders from
// analysis results as the seed's tools write them (with design_data where
// the chart is about the data or the design).
func TestVisualizeEveryPlotFromAnalysis(t *testing.T) {
	t.Parallel()
	for _, pt := range vizPlotTypes {
		t.Run(pt, func(t *testing.T) {
			t.Parallel()
			in := `{"plot_type": "` + pt + `", "analysis_results": ` + vizAnalysisExample
			switch pt {
			case "main_effects", "interaction", "prediction_variance", "fds_plot", "box_cox":
				in += `, "design_data": ` + vizFactorial + `, "response_column": "y"`
			}
			out := vizMust(t, in+`}`)
			vizCheckStructure(t, pt, out)
		})
	}
}

func vizLayerRows(t *testing.T, out map[string]any, panel, layer int) []map[string]any {
	t.Helper()
	p := vizArr(t, vizObj(t, out["data"], "data")["panels"], "panels")[panel]
	l := vizArr(t, vizObj(t, p, "panel")["layers"], "layers")[layer]
	var rows []map[string]any
	for _, r := range vizArr(t, vizObj(t, l, "layer")["data"], "rows") {
		rows = append(rows, vizObj(t, r, "row"))
	}
	return rows
}

func vizClose(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestVisualizePareto: the seed's Pareto behaviour (seed-spec §2.3): |effects|
// descending, a cumulative-% line on a secondary axis, ME and SME lines.
func TestVisualizePareto(t *testing.T) {
	t.Parallel()
	out := vizMust(t, `{"plot_type": "pareto", "analysis_results": {"effects": {"A": 10.5, "B": -7.5, "A:B": 2.5, "C": -7.5},
		"lenth_method": {"ME": 6.0, "SME": 12.0, "effects": []}}}`)
	bars := vizLayerRows(t, out, 0, 0)
	var names []string
	for _, r := range bars {
		names = append(names, r["name"].(string))
	}
	if !slices.Equal(names, []string{"A", "B", "C", "A:B"}) { // stable for the tie B, C
		t.Errorf("order %v", names)
	}
	cum := vizLayerRows(t, out, 0, 1)
	if got := cum[len(cum)-1]["cum_pct"].(float64); !vizClose(got, 100) || !vizClose(cum[0]["cum_pct"].(float64), 37.5) {
		t.Errorf("cumulative %v", cum)
	}
	plotly := vizObj(t, out["plotly"], "plotly")
	tr := vizArr(t, plotly["data"], "traces")
	colours := vizArr(t, vizObj(t, vizObj(t, tr[0], "bar")["marker"], "marker")["color"], "colours")
	if colours[0] != vizPositive || colours[1] != vizNegative {
		t.Errorf("colours %v", colours)
	}
	if vizObj(t, tr[1], "line")["yaxis"] != "y2" {
		t.Errorf("cumulative line not on the secondary axis")
	}
	layout := vizObj(t, plotly["layout"], "layout")
	shapes := vizArr(t, layout["shapes"], "shapes")
	notes := vizArr(t, layout["annotations"], "annotations")
	if len(shapes) != 2 || vizObj(t, shapes[0], "shape")["y0"] != 6.0 || vizObj(t, shapes[1], "shape")["y0"] != 12.0 {
		t.Errorf("threshold shapes %v", shapes)
	}
	if vizObj(t, notes[0], "note")["text"] != "ME (α=0.05)" || vizObj(t, notes[1], "note")["text"] != "SME (α=0.05)" {
		t.Errorf("labels %v", notes)
	}
	ec := vizObj(t, out["echarts"], "echarts")
	series := vizArr(t, ec["series"], "series")
	if len(vizArr(t, vizObj(t, vizObj(t, series[0], "s")["markLine"], "markLine")["data"], "marks")) != 2 ||
		vizObj(t, series[1], "s")["yAxisIndex"] != 1.0 {
		t.Errorf("echarts marks or axis: %v", series)
	}
	x := vizObj(t, ec["xAxis"], "xAxis")
	if x["type"] != "category" || len(vizArr(t, x["data"], "categories")) != 4 || len(vizArr(t, ec["yAxis"], "yAxis")) != 2 {
		t.Errorf("echarts axes %v %v", x, ec["yAxis"])
	}
	// highlight_significant false drops the lines.
	out = vizMust(t, `{"plot_type": "pareto", "highlight_significant": false, "analysis_results": {"effects": {"A": 1, "B": 2},
		"lenth_method": {"ME": 6.0, "SME": 12.0}}}`)
	if _, ok := vizObj(t, vizObj(t, out["plotly"], "p")["layout"], "l")["shapes"]; ok {
		t.Errorf("shapes drawn without highlighting")
	}
}

func TestVisualizeQuantiles(t *testing.T) {
	t.Parallel()
	// Reference values: Python's statistics.NormalDist().inv_cdf.
	out := vizMust(t, `{"plot_type": "half_normal", "analysis_results": {"effects": {"A": -3, "B": 1, "C": 2},
		"lenth_method": {"ME": 2.5, "effects": [{"term": "A", "effect": -3, "active_ME": true}]}}}`)
	pts := vizLayerRows(t, out, 0, 0)
	want := []float64{0.21042839424792484, 0.6744897501960817, 1.3829941271006387}
	for i, w := range want {
		if !vizClose(pts[i]["quantile"].(float64), w) {
			t.Errorf("half-normal quantile %d = %v, want %v", i, pts[i]["quantile"], w)
		}
	}
	if pts[2]["name"] != "A" || pts[2]["abs_effect"] != 3.0 {
		t.Errorf("largest %v", pts[2])
	}
	if labels := vizLayerRows(t, out, 0, 2); len(labels) != 1 || labels[0]["text"] != "A" {
		t.Errorf("labels %v", labels)
	}
	// Reference line through the non-significant effects B and C.
	ref := vizLayerRows(t, out, 0, 1)
	slope := (2.0 - 1) / (want[1] - want[0])
	if !vizClose(ref[0]["abs_effect"].(float64), 1-slope*want[0]) || !vizClose(ref[1]["quantile"].(float64), want[2]*1.1) {
		t.Errorf("reference line %v", ref)
	}

	out = vizMust(t, `{"plot_type": "daniel", "analysis_results": {"effects": {"A": 3, "B": -1, "C": 1}}}`)
	pts = vizLayerRows(t, out, 0, 0)
	for i, w := range []float64{-0.9674215661017014, 0, 0.9674215661017014} {
		if !vizClose(pts[i]["quantile"].(float64), w) {
			t.Errorf("normal quantile %d = %v, want %v", i, pts[i]["quantile"], w)
		}
	}

	out = vizMust(t, `{"plot_type": "normal_probability", "analysis_results": {"residual_diagnostics":
		{"residuals": [0.5, -1, 2, 0], "fitted_values": [1, 2, 3, 4]}}}`)
	pts = vizLayerRows(t, out, 0, 0)
	for i, w := range []float64{-0.9981488825015568, -0.29119141829755274, 0.29119141829755296, 0.9981488825015568} {
		if !vizClose(pts[i]["theoretical"].(float64), w) {
			t.Errorf("Filliben quantile %d = %v, want %v", i, pts[i]["theoretical"], w)
		}
	}
	if pts[0]["ordered"] != -1.0 || pts[3]["ordered"] != 2.0 {
		t.Errorf("ordered residuals %v", pts)
	}
}

func TestVisualizeMainEffectsAndInteraction(t *testing.T) {
	t.Parallel()
	data := `[{"A": -1, "B": -1, "y": 28}, {"A": 1, "B": -1, "y": 36}, {"A": -1, "B": 1, "y": 18}, {"A": 1, "B": 1, "y": 31}]`
	out := vizMust(t, `{"plot_type": "main_effects", "design_data": `+data+`}`)
	a := vizLayerRows(t, out, 0, 0)
	if a[0]["level"] != "-1" || a[0]["mean_response"] != 23.0 || a[1]["level"] != "1" || a[1]["mean_response"] != 33.5 || a[0]["factor"] != "A" {
		t.Errorf("A means %v", a)
	}
	if out["title"] != "Main Effects Plot" {
		t.Errorf("title %v", out["title"])
	}
	layout := vizObj(t, vizObj(t, out["plotly"], "p")["layout"], "l")
	if n := vizObj(t, vizArr(t, layout["annotations"], "notes")[0], "n"); n["text"] != "Grand Mean = 28.25" {
		t.Errorf("grand mean %v", n)
	}
	// Float levels are written as pandas writes float64: "-1.0".
	out = vizMust(t, `{"plot_type": "main_effects", "response_column": "y", "design_data": [{"A": -1.0, "y": 1}, {"A": 1.5, "y": 2}, {"A": null, "y": 5}]}`)
	if a := vizLayerRows(t, out, 0, 0); a[0]["level"] != "-1.0" || a[1]["level"] != "1.5" || len(a) != 2 {
		t.Errorf("float levels %v", a)
	}
	out = vizMust(t, `{"plot_type": "interaction", "design_data": `+data+`, "factors_to_plot": ["B", "A"]}`)
	if out["title"] != "Interaction Plot: B x A" {
		t.Errorf("title %v", out["title"])
	}
	lines := vizArr(t, vizObj(t, vizArr(t, vizObj(t, out["data"], "d")["panels"], "p")[0], "p")["layers"], "layers")
	if len(lines) != 2 || vizObj(t, lines[0], "l")["name"] != "B = -1" {
		t.Errorf("interaction lines %v", lines)
	}
	if rows := vizLayerRows(t, out, 0, 1); rows[0]["mean_response"] != 18.0 || rows[1]["mean_response"] != 31.0 {
		t.Errorf("B = 1 means %v", rows)
	}
}

func TestVisualizeModelCharts(t *testing.T) {
	t.Parallel()
	coefs := `[{"term": "Intercept", "coefficient": 40}, {"term": "A", "coefficient": 5.25}, {"term": "B", "coefficient": -2},
		{"term": "I(A ** 2)", "coefficient": -3}, {"term": "I(B ** 2)", "coefficient": -1.5}, {"term": "A:B", "coefficient": 1.5}]`
	predict := func(a, b float64) float64 { return 40 + 5.25*a - 2*b - 3*a*a - 1.5*b*b + 1.5*a*b }
	out := vizMust(t, `{"plot_type": "contour", "analysis_results": {"coefficients": `+coefs+`}}`)
	layer := vizObj(t, vizArr(t, vizObj(t, vizArr(t, vizObj(t, out["data"], "d")["panels"], "p")[0], "p")["layers"], "l")[0], "layer")
	z := vizArr(t, layer["z_matrix"], "z")
	if len(z) != 50 || !vizClose(vizArr(t, z[0], "row")[0].(float64), predict(-1, -1)) || !vizClose(vizArr(t, z[49], "row")[0].(float64), predict(-1, 1)) {
		t.Errorf("grid corners differ from the model")
	}
	if out["title"] != "Contour Plot: A x B" {
		t.Errorf("title %v", out["title"])
	}
	// fit_linear_model's {name, estimate}, a held third factor.
	out = vizMust(t, `{"plot_type": "perturbation", "hold_values": {"C": 1}, "analysis_results": {"coefficients":
		[{"name": "A", "estimate": 2}, {"name": "C", "estimate": 10}, {"name": "A:C", "estimate": 1}]}}`)
	a := vizLayerRows(t, out, 0, 0)
	if len(a) != 50 || !vizClose(a[0]["predicted"].(float64), -2+10-1) || !vizClose(a[49]["predicted"].(float64), 2+10+1) {
		t.Errorf("perturbation of A with C held at 1: %v … %v", a[0], a[49])
	}
	out = vizMust(t, `{"plot_type": "cube_plot", "factors_to_plot": ["A", "B", "C"], "analysis_results": {"coefficients":
		[{"term": "Intercept", "coefficient": 10}, {"term": "A", "coefficient": 1}, {"term": "B", "coefficient": 2}, {"term": "C", "coefficient": 4}]}}`)
	v := vizLayerRows(t, out, 0, 1)
	if len(v) != 8 || v[0]["value"] != 3.0 || v[1]["value"] != 11.0 || v[7]["value"] != 17.0 || v[7]["text"] != "17.00" {
		t.Errorf("cube vertices %v", v)
	}
	// The edge path covers the 12 edges.
	edges := vizLayerRows(t, out, 0, 0)
	seen := map[string]bool{}
	for i := 1; i < len(edges); i++ {
		p, q := edges[i-1], edges[i]
		diff := 0
		for _, k := range []string{"x", "y", "z"} {
			if p[k] != q[k] {
				diff++
			}
		}
		if diff != 1 {
			t.Fatalf("edge path step %d is not an edge", i)
		}
		key := []string{fmt.Sprint(p["x"], p["y"], p["z"]), fmt.Sprint(q["x"], q["y"], q["z"])}
		slices.Sort(key)
		seen[strings.Join(key, "|")] = true
	}
	if len(seen) != 12 {
		t.Errorf("edge path covers %d edges", len(seen))
	}
	// Steepest ascent from coefficients: direction (0.8, 0.6) for 4A + 3B.
	out = vizMust(t, `{"plot_type": "steepest_ascent_path", "analysis_results": {"coefficients":
		[{"term": "Intercept", "coefficient": 30}, {"term": "A", "coefficient": 4}, {"term": "B", "coefficient": 3}]}}`)
	pred := vizLayerRows(t, out, 0, 0)
	if len(pred) != 11 || !vizClose(pred[1]["predicted"].(float64), 32.5) || out["title"] != "Steepest Ascent Path" {
		t.Errorf("path %v", pred[:2])
	}
	if fa := vizLayerRows(t, out, 1, 0); !vizClose(fa[2]["coded_level"].(float64), 0.8) {
		t.Errorf("A along the path %v", fa[:3])
	}
	// Ridge trace: at radius 0 the intercept; the response never decreases
	// for this concave model (its optimum lies inside radius 1.5).
	out = vizMust(t, `{"plot_type": "ridge_trace", "analysis_results": {"coefficients": `+coefs+`}}`)
	r := vizLayerRows(t, out, 0, 0)
	if r[0]["response"] != 40.0 || len(r) != 30 {
		t.Errorf("ridge start %v", r[0])
	}
	best := 0.0
	for _, row := range r {
		best = math.Max(best, row["response"].(float64))
	}
	if best < predict(0.8095238095238094, -0.2619047619047619)-0.05 || best > predict(0.8095238095238094, -0.2619047619047619)+1e-9 {
		t.Errorf("ridge maximum %v, stationary point gives %v", best, predict(0.8095238095238094, -0.2619047619047619))
	}
}

func TestVisualizeDesignQuality(t *testing.T) {
	t.Parallel()
	out := vizMust(t, `{"plot_type": "power_curve", "analysis_results": {"model_summary": {"n_obs": 16, "df_model": 4}}, "confidence_level": 0.9}`)
	rows := vizLayerRows(t, out, 0, 0)
	if len(rows) != 100 || !vizClose(rows[0]["power"].(float64), 0.1) {
		t.Errorf("power at 0: %v", rows[0])
	}
	for i := 1; i < len(rows); i++ {
		if rows[i]["power"].(float64) < rows[i-1]["power"].(float64) {
			t.Fatalf("power decreases at %d", i)
		}
	}
	name := vizObj(t, vizArr(t, vizObj(t, vizArr(t, vizObj(t, out["data"], "d")["panels"], "p")[0], "p")["layers"], "l")[0], "l")["name"]
	if name != "n=16, df=11" {
		t.Errorf("name %v", name)
	}
	// From design_data: k = 3 factors (y is the response, not a factor), so
	// the second-order model has 10 terms and 11 runs leave 1 df.
	out = vizMust(t, `{"plot_type": "power_curve", "design_data": `+vizFactorial+`}`)
	name = vizObj(t, vizArr(t, vizObj(t, vizArr(t, vizObj(t, out["data"], "d")["panels"], "p")[0], "p")["layers"], "l")[0], "l")["name"]
	if name != "n=11, df=1" {
		t.Errorf("name %v", name)
	}
	out = vizMust(t, `{"plot_type": "fds_plot", "design_data": `+vizFactorial+`, "response_column": "y"}`)
	rows = vizLayerRows(t, out, 0, 0)
	if len(rows) != 101 || rows[0]["fraction"] != 0.0002 || rows[100]["fraction"] != 1.0 {
		t.Errorf("fds rows %d, %v … %v", len(rows), rows[0], rows[len(rows)-1])
	}
	for i := 1; i < len(rows); i++ {
		if rows[i]["spv"].(float64) < rows[i-1]["spv"].(float64) {
			t.Fatalf("spv not sorted at %d", i)
		}
	}
	var grid []string
	for _, a := range []int{-1, 0, 1} {
		for _, b := range []int{-1, 0, 1} {
			grid = append(grid, fmt.Sprintf(`{"A": %d, "B": %d}`, a, b))
		}
	}
	out = vizMust(t, `{"plot_type": "prediction_variance", "design_data": [`+strings.Join(grid, ", ")+`]}`)
	layer := vizObj(t, vizArr(t, vizObj(t, vizArr(t, vizObj(t, out["data"], "d")["panels"], "p")[0], "p")["layers"], "l")[0], "layer")
	z := vizArr(t, layer["z_matrix"], "z")
	// For the 3² design and the full quadratic model the SPV is 5 at the
	// centre and 29/4 at a corner (exact rational arithmetic); the grid of
	// 40 points from −1 to 1 has corners but no centre.
	if c := vizArr(t, z[39], "row")[39].(float64); !vizClose(c, 7.25) {
		t.Errorf("SPV at (1, 1) = %v, want 7.25", c)
	}
	if c := vizArr(t, z[0], "row")[0].(float64); !vizClose(c, 7.25) {
		t.Errorf("SPV at (−1, −1) = %v, want 7.25", c)
	}
}

func TestVisualizeBoxCoxAndDesirability(t *testing.T) {
	t.Parallel()
	// y = exp(x): the log transformation (λ = 0) makes it normal-ish; the
	// optimum of the grid is near 0 and the best row is the maximum.
	var rows []string
	for i, x := range []float64{-1.2, -0.5, 0.1, 0.3, 0.8, 1.5, -0.2, 0.6, 2.0, -1.6} {
		rows = append(rows, fmt.Sprintf(`{"x": %d, "resp": %g}`, i, math.Exp(x)))
	}
	out := vizMust(t, `{"plot_type": "box_cox", "response_column": "resp", "design_data": [`+strings.Join(rows, ",")+`]}`)
	ll := vizLayerRows(t, out, 0, 0)
	opt := vizLayerRows(t, out, 0, 1)[0]
	for _, r := range ll {
		if r["log_likelihood"].(float64) > opt["log_likelihood"].(float64) {
			t.Fatalf("the optimum is not the maximum")
		}
	}
	if lam := opt["lambda"].(float64); math.Abs(lam) > 0.5 {
		t.Errorf("optimal λ %v, want near 0", lam)
	}
	// Desirability: yield maximised 40–60 and cost minimised 10–30.
	out = vizMust(t, `{"plot_type": "desirability_contour", "analysis_results": `+vizAnalysisExample+`}`)
	layer := vizObj(t, vizArr(t, vizObj(t, vizArr(t, vizObj(t, out["data"], "d")["panels"], "p")[0], "p")["layers"], "l")[0], "layer")
	z := vizArr(t, layer["z_matrix"], "z")
	// At A = 1, B = −1: yield 63 → d 1; cost 22 → d (30 − 22)/20 = 0.4.
	if got := vizArr(t, z[0], "row")[49].(float64); !vizClose(got, math.Sqrt(0.4)) {
		t.Errorf("D(1, −1) = %v, want √0.4", got)
	}
	for _, r := range z {
		for _, v := range vizArr(t, r, "row") {
			if x := v.(float64); x < 0 || x > 1 {
				t.Fatalf("desirability %v out of [0, 1]", x)
			}
		}
	}
}

// TestVisualizeFittedModel: without analysis results the model is fitted
// to design_data; for the 2³ with centre runs the fit has the quadratic
// term of the factor with three levels? No: all three factors have three
// levels (centre runs), so squares are tried first and are collinear with
// the intercept; the two-factor-interaction model is used.
func TestVisualizeFittedModel(t *testing.T) {
	t.Parallel()
	v, err := decodeVisualize(json.RawMessage(`{"plot_type": "pareto", "design_data": ` + vizFactorial + `, "response_column": "y"}`))
	if err != nil {
		t.Fatal(err)
	}
	fit, err := v.fitted(true)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, term := range fit.model.terms {
		names = append(names, term.name)
	}
	if !slices.Equal(names, []string{"Intercept", "A", "B", "C", "A:B", "A:C", "B:C"}) {
		t.Fatalf("terms %v (formula %s)", names, fit.formula)
	}
	if a := fit.model.coef("A"); math.Abs(a-8) > 0.2 {
		t.Errorf("A = %v, want about 8", a)
	}
	out := vizMust(t, `{"plot_type": "pareto", "design_data": `+vizFactorial+`, "response_column": "y"}`)
	if bars := vizLayerRows(t, out, 0, 0); bars[0]["name"] != "A" || math.Abs(bars[0]["abs_effect"].(float64)-16) > 0.4 {
		t.Errorf("largest effect %v", bars[0])
	}
	shapes := vizArr(t, vizObj(t, vizObj(t, out["plotly"], "p")["layout"], "l")["shapes"], "shapes")
	if len(shapes) != 2 {
		t.Errorf("Lenth lines for fitted effects: %d shapes", len(shapes))
	}
	// A central composite design gets the quadratic model.
	ccd := `[{"A": -1, "B": -1, "y": 1}, {"A": 1, "B": -1, "y": 2}, {"A": -1, "B": 1, "y": 3}, {"A": 1, "B": 1, "y": 5},
		{"A": -1.414, "B": 0, "y": 1.5}, {"A": 1.414, "B": 0, "y": 3.5}, {"A": 0, "B": -1.414, "y": 1}, {"A": 0, "B": 1.414, "y": 4.2},
		{"A": 0, "B": 0, "y": 3}, {"A": 0, "B": 0, "y": 3.1}, {"A": 0, "B": 0, "y": 2.9}]`
	v, _ = decodeVisualize(json.RawMessage(`{"plot_type": "contour", "design_data": ` + ccd + `}`))
	fit, err = v.fitted(false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fit.formula, "I(A ** 2)") || len(fit.model.terms) != 6 {
		t.Errorf("CCD model %s", fit.formula)
	}
	out = vizMust(t, `{"plot_type": "contour", "design_data": `+ccd+`}`)
	pts := vizLayerRows(t, out, 0, 1)
	if len(pts) != 11 {
		t.Fatalf("%d design points", len(pts))
	}
	// The replicated centre runs are jittered by at most 0.02, the others not.
	jittered := 0
	for _, p := range pts[:8] {
		if p["x"] != math.Round(p["x"].(float64)*1000)/1000 {
			t.Errorf("unreplicated point moved: %v", p)
		}
	}
	for _, p := range pts[8:] {
		if x := p["x"].(float64); x != 0 && math.Abs(x) <= 0.02 {
			jittered++
		}
		if !strings.Contains(p["hover"].(string), "A *: 0<br>B *: 0<br>y: ") || !strings.Contains(p["hover"].(string), "of 3") {
			t.Errorf("hover %q", p["hover"])
		}
	}
	if jittered != 3 {
		t.Errorf("%d centre runs jittered", jittered)
	}
	again := vizMust(t, `{"plot_type": "contour", "design_data": `+ccd+`}`)
	if fmt.Sprint(vizLayerRows(t, again, 0, 1)) != fmt.Sprint(pts) {
		t.Errorf("jitter is not reproducible")
	}
}

func TestVisualizeBackends(t *testing.T) {
	t.Parallel()
	in := `{"plot_type": "pareto", "analysis_results": {"effects": {"A": 1}}, "backend": "%s"}`
	out := vizMust(t, fmt.Sprintf(in, "plotly"))
	if out["plotly"] == nil || out["echarts"] != nil {
		t.Errorf("plotly only: %v", out)
	}
	out = vizMust(t, fmt.Sprintf(in, "echarts"))
	if out["plotly"] != nil || out["echarts"] == nil {
		t.Errorf("echarts only: %v", out)
	}
}

func TestVisualizeInvalid(t *testing.T) {
	t.Parallel()
	many := make([]string, vizMaxRuns+1)
	for i := range many {
		many[i] = `{"A": 1}`
	}
	for _, tc := range []struct {
		name, input string
		code        errcode.Code
	}{
		{"unknown plot", `{"plot_type": "pie"}`, errcode.InputInvalid},
		{"no data at all", `{"plot_type": "pareto"}`, errcode.InputInvalid},
		{"residuals without data", `{"plot_type": "residuals_vs_fitted", "analysis_results": {"effects": {"A": 1}}}`, errcode.InputInvalid},
		{"contour without a model", `{"plot_type": "contour", "analysis_results": {"effects": {"A": 1}}}`, errcode.InputInvalid},
		{"fds without data", `{"plot_type": "fds_plot"}`, errcode.InputInvalid},
		{"main effects without data", `{"plot_type": "main_effects", "analysis_results": {}}`, errcode.InputInvalid},
		{"confidence 1", `{"plot_type": "pareto", "analysis_results": {"effects": {"A": 1}}, "confidence_level": 1}`, errcode.InputInvalid},
		{"unknown key", `{"plot_type": "pareto", "colour": "red"}`, errcode.InputInvalid},
		{"bad effects", `{"plot_type": "pareto", "analysis_results": {"effects": {"A": "big"}}}`, errcode.InputInvalid},
		{"bad coefficients", `{"plot_type": "contour", "analysis_results": {"coefficients": {"A": 1}}}`, errcode.InputInvalid},
		{"nested design value", `{"plot_type": "main_effects", "design_data": [{"A": [1]}]}`, errcode.InputInvalid},
		{"unknown response", `{"plot_type": "main_effects", "design_data": [{"A": 1, "y": 2}], "response_column": "z"}`, errcode.InputInvalid},
		{"unknown factor", `{"plot_type": "main_effects", "design_data": [{"A": 1, "y": 2}], "factors_to_plot": ["Q"]}`, errcode.InputInvalid},
		{"factor not in model", `{"plot_type": "contour", "factors_to_plot": ["A", "Z"], "analysis_results": {"coefficients": [{"term": "A", "coefficient": 1}, {"term": "B", "coefficient": 1}]}}`, errcode.InputInvalid},
		{"mixed column", `{"plot_type": "main_effects", "design_data": [{"A": 1, "y": 2}, {"A": "x", "y": 3}]}`, errcode.InputInvalid},
		{"string response", `{"plot_type": "main_effects", "design_data": [{"A": 1, "y": "a"}]}`, errcode.InputInvalid},
		{"one factor contour", `{"plot_type": "contour", "analysis_results": {"coefficients": [{"term": "A", "coefficient": 1}]}}`, errcode.InputInvalid},
		{"too many runs", `{"plot_type": "main_effects", "design_data": [` + strings.Join(many, ",") + `]}`, errcode.InputTooLarge},
		{"too many factors for SPV", `{"plot_type": "fds_plot", "design_data": [{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1}]}`, errcode.InputTooLarge},
		{"box-cox with negatives", `{"plot_type": "box_cox", "response_column": "y", "design_data": [{"y": 1}, {"y": -2}, {"y": 3}]}`, errcode.ToolError},
		{"constant model for desirability", `{"plot_type": "desirability_contour", "factors_to_plot": ["A", "B"], "analysis_results": {"coefficients": [{"term": "Intercept", "coefficient": 1}, {"term": "A", "coefficient": 0}, {"term": "B", "coefficient": 0}]}}`, errcode.ToolError},
		{"no linear terms", `{"plot_type": "steepest_ascent_path", "analysis_results": {"coefficients": [{"term": "Intercept", "coefficient": 1}, {"term": "A:B", "coefficient": 2}]}}`, errcode.ToolError},
		{"unfittable design", `{"plot_type": "residuals_vs_fitted", "design_data": [{"A": 1, "y": 1}, {"A": 2, "y": 2}]}`, errcode.ToolError},
	} {
		_, err := vizRun(t, tc.input)
		var e *errcode.Error
		if !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("%s: error %v, want %s", tc.name, err, tc.code)
		}
	}
}

// TestVisualizeAdapterAnnotations renders every annotation kind of the
// ChartSpec IR (bands and constraint regions are part of it although no
// builder uses them yet) and a two-panel grid.
func TestVisualizeAdapterAnnotations(t *testing.T) {
	t.Parallel()
	lo, hi := -0.5, 0.5
	p := vizNewPanel("panel", "x", "y")
	p.layers = []*vizLayer{{mark: vizMarkLine, rows: []pydict.Dict{vizRow("x", 0.0, "y", 1.0), vizRow("x", 1.0, "y", 2.0)},
		x: &vizEncoding{field: "x"}, y: &vizEncoding{field: "y"}, name: "line"}}
	p.annotations = []vizAnnotation{
		{kind: vizAnnLine, axis: "x", value: 0.5, label: "x line"},
		{kind: vizAnnThreshold, axis: "y", value: 1.5, label: "y line"},
		{kind: vizAnnBand, axis: "y", value: 1, end: 2},
		{kind: vizAnnRegion, xMin: &lo, xMax: &hi, yMin: &lo, yMax: &hi, label: "infeasible"},
		{kind: vizAnnLabel, label: "note"},
	}
	q := vizNewPanel("second", "x2", "y2")
	q.layers = []*vizLayer{{mark: vizMarkScatter, rows: []pydict.Dict{vizRow("x", 1.0, "y", 1.0)}, x: &vizEncoding{field: "x"},
		y: &vizEncoding{field: "y"}, name: "points", style: vizStyle{symbol: "diamond"}}}
	one := &vizChart{panels: []*vizPanel{p}, title: "one"}
	layout := one.plotly()
	l, _ := layout.Get("layout")
	shapes, _ := l.(pydict.Dict).Get("shapes")
	notes, _ := l.(pydict.Dict).Get("annotations")
	if n := len(shapes.([]pydict.Dict)); n != 5 { // 2 lines, 1 band, 2 region rectangles
		t.Errorf("%d shapes", n)
	}
	if n := len(notes.([]pydict.Dict)); n != 3 { // 2 line labels, 1 free label
		t.Errorf("%d annotations", n)
	}
	ec := one.echarts()
	series, _ := ec.Get("series")
	first := series.([]pydict.Dict)[0]
	ml, _ := first.Get("markLine")
	ma, _ := first.Get("markArea")
	lines, _ := ml.(pydict.Dict).Get("data")
	areas, _ := ma.(pydict.Dict).Get("data")
	if len(lines.([]pydict.Dict)) != 2 || len(areas.([][]pydict.Dict)) != 3 {
		t.Errorf("echarts marks: %v lines, %v areas", lines, areas)
	}
	two := &vizChart{panels: []*vizPanel{p, q}, title: "two", columns: 2}
	b, err := json.Marshal(two.plotly())
	if err != nil || !strings.Contains(string(b), `"xaxis2":{"domain":[0.55,1.0],"anchor":"y2"`) || !strings.Contains(string(b), `"xaxis":"x2","yaxis":"y2"`) {
		t.Errorf("two panels: %s %v", b, err)
	}
	b, err = json.Marshal(two.echarts())
	if err != nil || !strings.Contains(string(b), `"left":"55.0%"`) || !strings.Contains(string(b), `"xAxisIndex":1,"yAxisIndex":1`) ||
		!strings.Contains(string(b), `"symbol":"diamond"`) {
		t.Errorf("two panels: %s %v", b, err)
	}
}
