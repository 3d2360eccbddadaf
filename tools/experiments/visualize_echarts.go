package experiments

import (
	"math"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// The ECharts adapter: the seed's adapters/echarts_adapter.py, writing an
// option object for echarts.setOption (3D panels use the echarts-gl
// series surface, scatter3D and line3D).

func vizEChartsDash(dash string) string {
	switch dash {
	case "dash", "dashdot", "longdash":
		return "dashed"
	case "dot":
		return "dotted"
	}
	return "solid"
}

// vizGridLayer reports whether the layer is drawn from a grid.
func vizGridLayer(l *vizLayer) bool {
	return l.mark == vizMarkContour || l.mark == vizMarkHeatmap || l.mark == vizMarkSurface
}

func (c *vizChart) echarts() pydict.Dict {
	toolbox := pydict.Dict{{"feature", pydict.Dict{{"saveAsImage", pydict.Dict{}}, {"dataZoom", pydict.Dict{}}, {"restore", pydict.Dict{}}}}}
	if len(c.panels) == 1 {
		p := c.panels[0]
		title := c.title
		if title == "" {
			title = p.title
		}
		option := pydict.Dict{{"title", pydict.Dict{{"text", title}, {"left", "center"}}}}
		threeD := false
		for _, l := range p.layers {
			threeD = threeD || l.mark == vizMarkSurface || l.mark == vizMarkWireframe
		}
		series, extra := p.echartsSeries(0, threeD)
		trigger := "axis"
		if threeD || extra.grid {
			trigger = "item"
		}
		option.Set("tooltip", pydict.Dict{{"trigger", trigger}})
		option.Set("legend", pydict.Dict{{"bottom", 0}})
		option.Set("series", series)
		option.Set("toolbox", toolbox)
		if threeD {
			option.Set("xAxis3D", pydict.Dict{{"type", "value"}, {"name", p.xTitle}})
			option.Set("yAxis3D", pydict.Dict{{"type", "value"}, {"name", p.yTitle}})
			option.Set("zAxis3D", pydict.Dict{{"type", "value"}, {"name", p.zTitle}})
			option.Set("grid3D", pydict.Dict{})
		} else {
			option.Set("xAxis", p.echartsXAxis(extra))
			y := p.echartsYAxis(extra)
			if p.secondaryY {
				option.Set("yAxis", []pydict.Dict{y, {{"type", "value"}, {"name", p.secondaryYTitle}, {"position", "right"}}})
			} else {
				option.Set("yAxis", y)
			}
			option.Set("grid", pydict.Dict{{"containLabel", true}})
		}
		if extra.visualMaps != nil {
			option.Set("visualMap", extra.visualMaps)
		}
		return option
	}

	cols := max(1, min(c.columns, len(c.panels)))
	rows := (len(c.panels) + cols - 1) / cols
	pw, ph := 100/float64(cols), 100/float64(rows)
	var grids, xAxes, yAxes, series []pydict.Dict
	for k, p := range c.panels {
		r, col := k/cols, k%cols
		grids = append(grids, pydict.Dict{{"left", pyfmt.Repr(float64(col)*pw+5) + "%"}, {"top", pyfmt.Repr(float64(r)*ph+8) + "%"},
			{"width", pyfmt.Repr(pw-10) + "%"}, {"height", pyfmt.Repr(ph-16) + "%"}, {"containLabel", true}})
		s, extra := p.echartsSeries(k, false)
		x := p.echartsXAxis(extra)
		x.Set("gridIndex", k)
		xAxes = append(xAxes, x)
		y := p.echartsYAxis(extra)
		y.Set("gridIndex", k)
		yAxes = append(yAxes, y)
		for i := range s {
			s[i].Set("xAxisIndex", k)
			s[i].Set("yAxisIndex", k)
		}
		series = append(series, s...)
	}
	return pydict.Dict{
		{"title", pydict.Dict{{"text", c.title}, {"left", "center"}}},
		{"tooltip", pydict.Dict{{"trigger", "axis"}}},
		{"legend", pydict.Dict{{"bottom", 0}}},
		{"grid", grids},
		{"xAxis", xAxes},
		{"yAxis", yAxes},
		{"series", series},
		{"toolbox", pydict.Dict{{"feature", pydict.Dict{{"saveAsImage", pydict.Dict{}}, {"restore", pydict.Dict{}}}}}},
	}
}

// vizAxisInfo is what the series of a panel need from its axes.
type vizAxisInfo struct {
	categories []string // x categories (category encodings, or a grid's x values)
	yGrid      []string // y categories of a grid panel
	grid       bool
	visualMaps []pydict.Dict
}

func vizGridLabels(v []float64) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = pyfmt.General(x, 4)
	}
	return out
}

func vizNearest(grid []float64, v float64) int {
	best, bestD := 0, math.Inf(1)
	for i, g := range grid {
		if d := math.Abs(g - v); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// echartsSeries converts the layers of a panel; annotations become a
// markLine and a markArea on the panel's first series.
func (p *vizPanel) echartsSeries(panel int, threeD bool) ([]pydict.Dict, vizAxisInfo) {
	var info vizAxisInfo
	var gridX, gridY []float64
	for _, l := range p.layers {
		if vizGridLayer(l) && l.mark != vizMarkSurface && gridX == nil {
			gridX, gridY = l.style.xGrid, l.style.yGrid
			info.grid = true
			info.categories = vizGridLabels(gridX)
			info.yGrid = vizGridLabels(gridY)
		}
	}
	if !info.grid {
		seen := map[string]bool{}
		for _, l := range p.layers {
			if l.x == nil || !l.x.category {
				continue
			}
			for _, v := range l.column(l.x.field) {
				s, _ := v.(string)
				if !seen[s] {
					seen[s] = true
					info.categories = append(info.categories, s)
				}
			}
		}
	}
	series := []pydict.Dict{}
	for _, l := range p.layers {
		s := pydict.Dict{{"name", l.name}}
		colour := l.color
		if colour == "" {
			colour = vizPrimary
		}
		pairs := func() []any {
			out := []any{}
			if l.x == nil || l.y == nil {
				return out
			}
			xs, ys := l.column(l.x.field), l.column(l.y.field)
			for i := range xs {
				x := xs[i]
				if info.grid {
					if v, ok := x.(pyfmt.Float); ok {
						x = vizNearest(gridX, float64(v))
					}
					if v, ok := ys[i].(pyfmt.Float); ok {
						out = append(out, []any{x, vizNearest(gridY, float64(v))})
						continue
					}
				}
				out = append(out, []any{x, ys[i]})
			}
			return out
		}
		switch l.mark {
		case vizMarkBar:
			s.Set("type", "bar")
			data := []any{}
			if l.y != nil {
				for i, v := range l.column(l.y.field) {
					if l.style.colors != nil && i < len(l.style.colors) {
						data = append(data, pydict.Dict{{"value", v}, {"itemStyle", pydict.Dict{{"color", l.style.colors[i]}}}})
					} else {
						data = append(data, v)
					}
				}
			}
			s.Set("data", data)
			if l.style.colors == nil {
				s.Set("itemStyle", pydict.Dict{{"color", colour}})
			}
		case vizMarkLine:
			width := l.style.width
			if width == 0 {
				width = 2
			}
			symbol := "none"
			if l.style.showPoints {
				symbol = "circle"
			}
			s.Set("type", "line")
			s.Set("data", pairs())
			s.Set("smooth", false)
			s.Set("lineStyle", pydict.Dict{{"color", colour}, {"type", vizEChartsDash(l.style.dash)}, {"width", pyfmt.Float(width)},
				{"opacity", pyfmt.Float(l.alpha())}})
			s.Set("itemStyle", pydict.Dict{{"color", colour}})
			s.Set("symbol", symbol)
		case vizMarkContour, vizMarkHeatmap:
			data := []any{}
			for i := range l.style.yGrid {
				for j := range l.style.xGrid {
					z := math.NaN()
					if i < len(l.style.zMatrix) && j < len(l.style.zMatrix[i]) {
						z = l.style.zMatrix[i][j]
					}
					data = append(data, []any{j, i, pyfmt.Float(z)})
				}
			}
			s.Set("type", "heatmap")
			s.Set("data", data)
			s.Set("emphasis", pydict.Dict{{"itemStyle", pydict.Dict{{"shadowBlur", 10}}}})
			lo, hi, ok := vizFiniteRange(l.style.zMatrix)
			if l.style.zMin != nil && l.style.zMax != nil {
				lo, hi, ok = *l.style.zMin, *l.style.zMax, true
			}
			if !ok {
				lo, hi = 0, 1
			}
			scale := l.style.scale
			if scale == nil {
				scale = vizSurfaceScale
			}
			info.visualMaps = append(info.visualMaps, pydict.Dict{{"type", "continuous"}, {"seriesIndex", len(series)},
				{"min", pyfmt.Float(lo)}, {"max", pyfmt.Float(hi)}, {"calculable", true}, {"orient", "vertical"}, {"right", 0},
				{"top", "center"}, {"inRange", pydict.Dict{{"color", scale.colours()}}}})
			if l.style.lineContours {
				s.Set("itemStyle", pydict.Dict{{"opacity", 0.5}})
			}
		case vizMarkSurface:
			data := []any{}
			for i, y := range l.style.yGrid {
				for j, x := range l.style.xGrid {
					z := math.NaN()
					if i < len(l.style.zMatrix) && j < len(l.style.zMatrix[i]) {
						z = l.style.zMatrix[i][j]
					}
					data = append(data, []any{pyfmt.Float(x), pyfmt.Float(y), pyfmt.Float(z)})
				}
			}
			s.Set("type", "surface")
			s.Set("data", data)
			s.Set("shading", "color")
		case vizMarkWireframe:
			data := []any{}
			xs, ys, zs := l.column(l.x.field), l.column(l.y.field), l.column(l.z.field)
			texts := l.column("text")
			for i := range xs {
				point := []any{xs[i], ys[i], zs[i]}
				if l.style.lines {
					data = append(data, point)
				} else {
					data = append(data, pydict.Dict{{"value", point}, {"name", texts[i]}})
				}
			}
			if l.style.lines {
				width := l.style.width
				if width == 0 {
					width = 2
				}
				s.Set("type", "line3D")
				s.Set("data", data)
				s.Set("lineStyle", pydict.Dict{{"width", pyfmt.Float(width)}, {"color", colour}})
			} else {
				size := l.style.size
				if size == 0 {
					size = 8
				}
				s.Set("type", "scatter3D")
				s.Set("data", data)
				s.Set("symbolSize", pyfmt.Float(size))
				s.Set("itemStyle", pydict.Dict{{"color", colour}})
				s.Set("label", pydict.Dict{{"show", true}, {"formatter", "{b}"}})
			}
		case vizMarkText:
			data := []any{}
			texts := l.column("text")
			for i, v := range pairs() {
				data = append(data, pydict.Dict{{"value", v}, {"name", texts[i]}})
			}
			s.Set("type", "scatter")
			s.Set("data", data)
			s.Set("symbolSize", 0)
			s.Set("label", pydict.Dict{{"show", true}, {"formatter", "{b}"}, {"position", "right"}})
		default: // scatter
			size := l.style.size
			if size == 0 {
				size = 8
			}
			data := pairs()
			if l.style.colors != nil {
				for i := range data {
					if i < len(l.style.colors) {
						data[i] = pydict.Dict{{"value", data[i]}, {"itemStyle", pydict.Dict{{"color", l.style.colors[i]}}}}
					}
				}
			}
			s.Set("type", "scatter")
			s.Set("data", data)
			s.Set("symbolSize", pyfmt.Float(size))
			if l.style.symbol != "" {
				s.Set("symbol", l.style.symbol)
			}
			if l.style.colors == nil {
				s.Set("itemStyle", pydict.Dict{{"color", colour}, {"opacity", pyfmt.Float(l.alpha())}})
			}
		}
		if p.secondaryY && l.style.secondaryY && !threeD {
			s.Set("yAxisIndex", 1)
		}
		series = append(series, s)
	}
	if len(series) > 0 && !threeD {
		lines, areas := p.echartsMarks(info)
		if lines != nil {
			series[0].Set("markLine", pydict.Dict{{"data", lines}, {"silent", true}, {"symbol", "none"}})
		}
		if areas != nil {
			series[0].Set("markArea", pydict.Dict{{"data", areas}, {"silent", true}})
		}
	}
	return series, info
}

// echartsMarks is the seed's _collect_annotations. On a grid panel the
// axes are categories, so positions become the nearest grid index.
func (p *vizPanel) echartsMarks(info vizAxisInfo) (lines []pydict.Dict, areas [][]pydict.Dict) {
	var gridX, gridY []float64
	for _, l := range p.layers {
		if vizGridLayer(l) {
			gridX, gridY = l.style.xGrid, l.style.yGrid
			break
		}
	}
	pos := func(axis string, v float64) any {
		if info.grid {
			if axis == "x" {
				return vizNearest(gridX, v)
			}
			return vizNearest(gridY, v)
		}
		return pyfmt.Float(v)
	}
	for _, a := range p.annotations {
		colour := a.color
		if colour == "" {
			colour = vizThresholdME
		}
		width := a.width
		if width == 0 {
			width = 2
		}
		key := "yAxis"
		if a.axis == "x" {
			key = "xAxis"
		}
		switch a.kind {
		case vizAnnLine, vizAnnThreshold:
			if math.IsNaN(a.value) || math.IsInf(a.value, 0) {
				continue
			}
			lines = append(lines, pydict.Dict{{key, pos(a.axis, a.value)},
				{"lineStyle", pydict.Dict{{"color", colour}, {"type", vizEChartsDash(a.dash)}, {"width", pyfmt.Float(width)}}},
				{"label", pydict.Dict{{"formatter", a.label}, {"position", "end"}}}})
		case vizAnnBand:
			fill := a.fill
			if fill == "" {
				fill = "rgba(37, 99, 235, 0.1)"
			}
			areas = append(areas, []pydict.Dict{{{key, pos(a.axis, a.value)}, {"itemStyle", pydict.Dict{{"color", fill}}}},
				{{key, pos(a.axis, a.end)}}})
		case vizAnnRegion:
			fill := a.fill
			if fill == "" {
				fill = "rgba(220, 38, 38, 0.15)"
			}
			if a.xMin != nil && a.xMax != nil {
				areas = append(areas, []pydict.Dict{{{"xAxis", pos("x", *a.xMin)}, {"itemStyle", pydict.Dict{{"color", fill}}}},
					{{"xAxis", pos("x", *a.xMax)}}})
			}
			if a.yMin != nil && a.yMax != nil {
				areas = append(areas, []pydict.Dict{{{"yAxis", pos("y", *a.yMin)}, {"itemStyle", pydict.Dict{{"color", fill}}}},
					{{"yAxis", pos("y", *a.yMax)}}})
			}
		}
	}
	return lines, areas
}

// echartsXAxis is the seed's _build_x_axis: a category axis when the
// panel's x encoding is categorical (the categories of all its layers, in
// order of appearance) or the panel is a grid, a value axis otherwise.
func (p *vizPanel) echartsXAxis(info vizAxisInfo) pydict.Dict {
	axis := pydict.Dict{{"name", p.xTitle}, {"nameLocation", "middle"}, {"nameGap", 30}}
	if info.categories != nil {
		axis.Set("type", "category")
		axis.Set("data", info.categories)
	} else {
		axis.Set("type", "value")
		axis.Set("scale", true)
	}
	return axis
}

func (p *vizPanel) echartsYAxis(info vizAxisInfo) pydict.Dict {
	if info.grid {
		return pydict.Dict{{"type", "category"}, {"name", p.yTitle}, {"data", info.yGrid}}
	}
	return pydict.Dict{{"type", "value"}, {"name", p.yTitle}, {"scale", true}}
}
