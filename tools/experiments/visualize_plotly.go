package experiments

import (
	"math"
	"strconv"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// The Plotly adapter: the seed's adapters/plotly_adapter.py, writing the
// figure dict (data and layout) that plotly.js and plotly.py accept.

// vizAxisRef returns the axis ids of subplot k (0-based): "x", "y" for the
// first, "x2", "y2" for the second …
func vizAxisRef(k int) (x, y string) {
	if k == 0 {
		return "x", "y"
	}
	s := strconv.Itoa(k + 1)
	return "x" + s, "y" + s
}

// vizTidy rounds a subplot domain bound to 12 decimals, so that 1 − 0.575
// − 0.425 is written as 0, not 5.55e-17.
func vizTidy(x float64) float64 { return math.Round(x*1e12) / 1e12 }

func vizTitle(text string) pydict.Dict { return pydict.Dict{{"text", text}} }

func (c *vizChart) plotly() pydict.Dict {
	var traces []pydict.Dict
	layout := pydict.Dict{{"title", vizTitle(c.title)}}
	var shapes, notes []pydict.Dict
	if len(c.panels) == 1 {
		p := c.panels[0]
		title := c.title
		if title == "" {
			title = p.title
		}
		layout = pydict.Dict{{"title", vizTitle(title)}}
		threeD := false
		for _, l := range p.layers {
			t, is3D := l.plotlyTrace()
			threeD = threeD || is3D
			if p.secondaryY && l.style.secondaryY {
				t.Set("yaxis", "y2")
			}
			traces = append(traces, t)
		}
		if threeD {
			layout.Set("scene", pydict.Dict{{"xaxis", pydict.Dict{{"title", vizTitle(p.xTitle)}}},
				{"yaxis", pydict.Dict{{"title", vizTitle(p.yTitle)}}}, {"zaxis", pydict.Dict{{"title", vizTitle(p.zTitle)}}}})
		} else {
			layout.Set("xaxis", pydict.Dict{{"title", vizTitle(p.xTitle)}})
			y := pydict.Dict{{"title", vizTitle(p.yTitle)}}
			if p.equalAspect {
				y.Set("scaleanchor", "x") // the seed's equal_aspect hint
			}
			layout.Set("yaxis", y)
			if p.secondaryY {
				layout.Set("yaxis2", pydict.Dict{{"title", vizTitle(p.secondaryYTitle)}, {"overlaying", "y"}, {"side", "right"}})
			}
		}
		shapes, notes = p.plotlyAnnotations("x", "y")
		layout.Set("width", p.width)
		layout.Set("height", p.height)
	} else {
		cols := max(1, min(c.columns, len(c.panels)))
		rows := (len(c.panels) + cols - 1) / cols
		hs, vs := 0.2/float64(cols), 0.3/float64(rows)
		w := (1 - hs*float64(cols-1)) / float64(cols)
		h := (1 - vs*float64(rows-1)) / float64(rows)
		for k, p := range c.panels {
			r, col := k/cols, k%cols
			x0 := float64(col) * (w + hs)
			y1 := 1 - float64(r)*(h+vs)
			xr, yr := vizAxisRef(k)
			for _, l := range p.layers {
				t, _ := l.plotlyTrace()
				t.Set("xaxis", xr)
				t.Set("yaxis", yr)
				traces = append(traces, t)
			}
			xName, yName := "xaxis", "yaxis"
			if k > 0 {
				xName += strconv.Itoa(k + 1)
				yName += strconv.Itoa(k + 1)
			}
			layout.Set(xName, pydict.Dict{{"domain", pyfmt.Floats([]float64{vizTidy(x0), vizTidy(x0 + w)})}, {"anchor", yr}, {"title", vizTitle(p.xTitle)}})
			layout.Set(yName, pydict.Dict{{"domain", pyfmt.Floats([]float64{vizTidy(y1 - h), vizTidy(y1)})}, {"anchor", xr}, {"title", vizTitle(p.yTitle)}})
			notes = append(notes, pydict.Dict{{"text", p.title}, {"xref", "paper"}, {"yref", "paper"}, {"x", pyfmt.Float(x0 + w/2)},
				{"y", pyfmt.Float(y1)}, {"xanchor", "center"}, {"yanchor", "bottom"}, {"showarrow", false}})
			s, n := p.plotlyAnnotations(xr, yr)
			shapes = append(shapes, s...)
			notes = append(notes, n...)
		}
		layout.Set("showlegend", true)
	}
	layout.Set("font", pydict.Dict{{"size", 12}})
	layout.Set("plot_bgcolor", "white")
	layout.Set("paper_bgcolor", "white")
	if shapes != nil {
		layout.Set("shapes", shapes)
	}
	if notes != nil {
		layout.Set("annotations", notes)
	}
	if traces == nil {
		traces = []pydict.Dict{}
	}
	return pydict.Dict{{"data", traces}, {"layout", layout}}
}

// plotlyTrace returns the layer's trace and whether it is a 3D one.
func (l *vizLayer) plotlyTrace() (pydict.Dict, bool) {
	colour := l.color
	if colour == "" {
		colour = vizPrimary
	}
	var markerColour any = colour
	if l.style.colors != nil {
		markerColour = l.style.colors
	}
	xs, ys := []any{}, []any{}
	if l.x != nil {
		xs = l.column(l.x.field)
	}
	if l.y != nil {
		ys = l.column(l.y.field)
	}
	size := l.style.size
	if size == 0 {
		size = 8
	}
	switch l.mark {
	case vizMarkBar:
		return pydict.Dict{{"type", "bar"}, {"name", l.name}, {"x", xs}, {"y", ys}, {"marker", pydict.Dict{{"color", markerColour}}},
			{"opacity", pyfmt.Float(l.alpha())}}, false
	case vizMarkLine:
		mode := "lines"
		if l.style.showPoints {
			mode = "lines+markers"
		}
		dash := l.style.dash
		if dash == "" {
			dash = "solid"
		}
		width := l.style.width
		if width == 0 {
			width = 2
		}
		return pydict.Dict{{"type", "scatter"}, {"mode", mode}, {"name", l.name}, {"x", xs}, {"y", ys},
			{"line", pydict.Dict{{"color", colour}, {"dash", dash}, {"width", pyfmt.Float(width)}}}, {"opacity", pyfmt.Float(l.alpha())}}, false
	case vizMarkContour, vizMarkHeatmap, vizMarkSurface:
		scale := l.style.scale
		if scale == nil {
			scale = vizSurfaceScale
		}
		kind := map[string]string{vizMarkContour: "contour", vizMarkHeatmap: "heatmap", vizMarkSurface: "surface"}[l.mark]
		t := pydict.Dict{{"type", kind}, {"name", l.name}, {"x", pyfmt.Floats(l.style.xGrid)}, {"y", pyfmt.Floats(l.style.yGrid)},
			{"z", vizFloatMatrix(l.style.zMatrix)}, {"colorscale", scale.plotly()}}
		if l.mark == vizMarkContour {
			contours := pydict.Dict{{"showlabels", true}}
			if l.style.lineContours {
				contours.Set("coloring", "lines")
				t.Set("line", pydict.Dict{{"color", colour}, {"width", 2}})
				t.Set("showscale", false)
			}
			t.Set("contours", contours)
			if l.style.nContours > 0 {
				t.Set("ncontours", l.style.nContours)
			}
		}
		if l.style.zMin != nil && l.style.zMax != nil {
			t.Set("zmin", pyfmt.Float(*l.style.zMin))
			t.Set("zmax", pyfmt.Float(*l.style.zMax))
		}
		return t, l.mark == vizMarkSurface
	case vizMarkText:
		return pydict.Dict{{"type", "scatter"}, {"mode", "text"}, {"name", l.name}, {"x", xs}, {"y", ys},
			{"text", l.column("text")}, {"textfont", pydict.Dict{{"size", pyfmt.Float(size)}}}}, false
	case vizMarkWireframe:
		zs := []any{}
		if l.z != nil {
			zs = l.column(l.z.field)
		}
		if l.style.lines {
			width := l.style.width
			if width == 0 {
				width = 3
			}
			return pydict.Dict{{"type", "scatter3d"}, {"mode", "lines"}, {"name", l.name}, {"x", xs}, {"y", ys}, {"z", zs},
				{"line", pydict.Dict{{"color", colour}, {"width", pyfmt.Float(width)}}}}, true
		}
		return pydict.Dict{{"type", "scatter3d"}, {"mode", "markers+text"}, {"name", l.name}, {"x", xs}, {"y", ys}, {"z", zs},
			{"marker", pydict.Dict{{"color", colour}, {"size", pyfmt.Float(size)}}}, {"text", l.column("text")},
			{"textposition", "top center"}}, true
	}
	// Scatter (and any other mark).
	symbol := l.style.symbol
	if symbol == "" {
		symbol = "circle"
	}
	t := pydict.Dict{{"type", "scatter"}, {"mode", "markers"}, {"name", l.name}, {"x", xs}, {"y", ys},
		{"marker", pydict.Dict{{"color", markerColour}, {"size", pyfmt.Float(size)}, {"symbol", symbol}}}, {"opacity", pyfmt.Float(l.alpha())}}
	if l.style.hoverField != "" {
		t.Set("text", l.column(l.style.hoverField))
		t.Set("hoverinfo", "text")
	}
	return t, false
}

// plotlyAnnotations turns the panel's annotations into layout shapes and
// annotations on the given axes (the seed's add_hline, add_vline,
// add_hrect and add_vrect).
func (p *vizPanel) plotlyAnnotations(xr, yr string) (shapes, notes []pydict.Dict) {
	labels := 0
	for _, a := range p.annotations {
		colour, dash, width := a.color, a.dash, a.width
		if colour == "" {
			colour = vizThresholdME
		}
		if dash == "" {
			dash = "dash"
		}
		if width == 0 {
			width = 2
		}
		line := pydict.Dict{{"color", colour}, {"dash", dash}, {"width", pyfmt.Float(width)}}
		switch a.kind {
		case vizAnnLine, vizAnnThreshold:
			if a.axis == "x" {
				shapes = append(shapes, pydict.Dict{{"type", "line"}, {"xref", xr}, {"x0", pyfmt.Float(a.value)}, {"x1", pyfmt.Float(a.value)},
					{"yref", yr + " domain"}, {"y0", 0}, {"y1", 1}, {"line", line}})
				if a.label != "" {
					notes = append(notes, pydict.Dict{{"text", a.label}, {"xref", xr}, {"x", pyfmt.Float(a.value)}, {"yref", yr + " domain"},
						{"y", 1}, {"xanchor", "left"}, {"yanchor", "bottom"}, {"showarrow", false}})
				}
			} else {
				shapes = append(shapes, pydict.Dict{{"type", "line"}, {"xref", xr + " domain"}, {"x0", 0}, {"x1", 1},
					{"yref", yr}, {"y0", pyfmt.Float(a.value)}, {"y1", pyfmt.Float(a.value)}, {"line", line}})
				if a.label != "" {
					notes = append(notes, pydict.Dict{{"text", a.label}, {"xref", xr + " domain"}, {"x", 1}, {"yref", yr},
						{"y", pyfmt.Float(a.value)}, {"xanchor", "right"}, {"yanchor", "bottom"}, {"showarrow", false}})
				}
			}
		case vizAnnBand:
			fill := a.fill
			if fill == "" {
				fill = "rgba(37, 99, 235, 0.1)"
			}
			shapes = append(shapes, vizRect(a.axis, xr, yr, a.value, a.end, fill))
		case vizAnnRegion:
			fill := a.fill
			if fill == "" {
				fill = "rgba(220, 38, 38, 0.15)"
			}
			if a.xMin != nil && a.xMax != nil {
				shapes = append(shapes, vizRect("x", xr, yr, *a.xMin, *a.xMax, fill))
			}
			if a.yMin != nil && a.yMax != nil {
				shapes = append(shapes, vizRect("y", xr, yr, *a.yMin, *a.yMax, fill))
			}
		case vizAnnLabel:
			notes = append(notes, pydict.Dict{{"text", a.label}, {"xref", "paper"}, {"yref", "paper"}, {"x", 0},
				{"y", pyfmt.Float(1 - 0.06*float64(labels))}, {"xanchor", "left"}, {"yanchor", "top"}, {"showarrow", false},
				{"font", pydict.Dict{{"color", colour}}}})
			labels++
		}
	}
	return shapes, notes
}

func vizRect(axis, xr, yr string, from, to float64, fill string) pydict.Dict {
	if axis == "x" {
		return pydict.Dict{{"type", "rect"}, {"xref", xr}, {"x0", pyfmt.Float(from)}, {"x1", pyfmt.Float(to)}, {"yref", yr + " domain"},
			{"y0", 0}, {"y1", 1}, {"fillcolor", fill}, {"line", pydict.Dict{{"width", 0}}}}
	}
	return pydict.Dict{{"type", "rect"}, {"xref", xr + " domain"}, {"x0", 0}, {"x1", 1}, {"yref", yr}, {"y0", pyfmt.Float(from)},
		{"y1", pyfmt.Float(to)}, {"fillcolor", fill}, {"line", pydict.Dict{{"width", 0}}}}
}
