package experiments

import (
	"math"
	"strconv"
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

func vizTitle(text string) kvObject { return kvObject{{"text", text}} }

func (c *vizChart) plotly() kvObject {
	var traces []kvObject
	layout := kvObject{{"title", vizTitle(c.title)}}
	var shapes, notes []kvObject
	if len(c.panels) == 1 {
		p := c.panels[0]
		title := c.title
		if title == "" {
			title = p.title
		}
		layout = kvObject{{"title", vizTitle(title)}}
		threeD := false
		for _, l := range p.layers {
			t, is3D := l.plotlyTrace()
			threeD = threeD || is3D
			if p.secondaryY && l.style.secondaryY {
				t.set("yaxis", "y2")
			}
			traces = append(traces, t)
		}
		if threeD {
			layout.set("scene", kvObject{{"xaxis", kvObject{{"title", vizTitle(p.xTitle)}}},
				{"yaxis", kvObject{{"title", vizTitle(p.yTitle)}}}, {"zaxis", kvObject{{"title", vizTitle(p.zTitle)}}}})
		} else {
			layout.set("xaxis", kvObject{{"title", vizTitle(p.xTitle)}})
			y := kvObject{{"title", vizTitle(p.yTitle)}}
			if p.equalAspect {
				y.set("scaleanchor", "x") // the seed's equal_aspect hint
			}
			layout.set("yaxis", y)
			if p.secondaryY {
				layout.set("yaxis2", kvObject{{"title", vizTitle(p.secondaryYTitle)}, {"overlaying", "y"}, {"side", "right"}})
			}
		}
		shapes, notes = p.plotlyAnnotations("x", "y")
		layout.set("width", p.width)
		layout.set("height", p.height)
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
				t.set("xaxis", xr)
				t.set("yaxis", yr)
				traces = append(traces, t)
			}
			xName, yName := "xaxis", "yaxis"
			if k > 0 {
				xName += strconv.Itoa(k + 1)
				yName += strconv.Itoa(k + 1)
			}
			layout.set(xName, kvObject{{"domain", vizFloats([]float64{vizTidy(x0), vizTidy(x0 + w)})}, {"anchor", yr}, {"title", vizTitle(p.xTitle)}})
			layout.set(yName, kvObject{{"domain", vizFloats([]float64{vizTidy(y1 - h), vizTidy(y1)})}, {"anchor", xr}, {"title", vizTitle(p.yTitle)}})
			notes = append(notes, kvObject{{"text", p.title}, {"xref", "paper"}, {"yref", "paper"}, {"x", vizF(x0 + w/2)},
				{"y", vizF(y1)}, {"xanchor", "center"}, {"yanchor", "bottom"}, {"showarrow", false}})
			s, n := p.plotlyAnnotations(xr, yr)
			shapes = append(shapes, s...)
			notes = append(notes, n...)
		}
		layout.set("showlegend", true)
	}
	layout.set("font", kvObject{{"size", 12}})
	layout.set("plot_bgcolor", "white")
	layout.set("paper_bgcolor", "white")
	if shapes != nil {
		layout.set("shapes", shapes)
	}
	if notes != nil {
		layout.set("annotations", notes)
	}
	if traces == nil {
		traces = []kvObject{}
	}
	return kvObject{{"data", traces}, {"layout", layout}}
}

// plotlyTrace returns the layer's trace and whether it is a 3D one.
func (l *vizLayer) plotlyTrace() (kvObject, bool) {
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
		return kvObject{{"type", "bar"}, {"name", l.name}, {"x", xs}, {"y", ys}, {"marker", kvObject{{"color", markerColour}}},
			{"opacity", vizF(l.alpha())}}, false
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
		return kvObject{{"type", "scatter"}, {"mode", mode}, {"name", l.name}, {"x", xs}, {"y", ys},
			{"line", kvObject{{"color", colour}, {"dash", dash}, {"width", vizF(width)}}}, {"opacity", vizF(l.alpha())}}, false
	case vizMarkContour, vizMarkHeatmap, vizMarkSurface:
		scale := l.style.scale
		if scale == nil {
			scale = vizSurfaceScale
		}
		kind := map[string]string{vizMarkContour: "contour", vizMarkHeatmap: "heatmap", vizMarkSurface: "surface"}[l.mark]
		t := kvObject{{"type", kind}, {"name", l.name}, {"x", vizFloats(l.style.xGrid)}, {"y", vizFloats(l.style.yGrid)},
			{"z", vizFloatMatrix(l.style.zMatrix)}, {"colorscale", scale.plotly()}}
		if l.mark == vizMarkContour {
			contours := kvObject{{"showlabels", true}}
			if l.style.lineContours {
				contours.set("coloring", "lines")
				t.set("line", kvObject{{"color", colour}, {"width", 2}})
				t.set("showscale", false)
			}
			t.set("contours", contours)
			if l.style.nContours > 0 {
				t.set("ncontours", l.style.nContours)
			}
		}
		if l.style.zMin != nil && l.style.zMax != nil {
			t.set("zmin", vizF(*l.style.zMin))
			t.set("zmax", vizF(*l.style.zMax))
		}
		return t, l.mark == vizMarkSurface
	case vizMarkText:
		return kvObject{{"type", "scatter"}, {"mode", "text"}, {"name", l.name}, {"x", xs}, {"y", ys},
			{"text", l.column("text")}, {"textfont", kvObject{{"size", vizF(size)}}}}, false
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
			return kvObject{{"type", "scatter3d"}, {"mode", "lines"}, {"name", l.name}, {"x", xs}, {"y", ys}, {"z", zs},
				{"line", kvObject{{"color", colour}, {"width", vizF(width)}}}}, true
		}
		return kvObject{{"type", "scatter3d"}, {"mode", "markers+text"}, {"name", l.name}, {"x", xs}, {"y", ys}, {"z", zs},
			{"marker", kvObject{{"color", colour}, {"size", vizF(size)}}}, {"text", l.column("text")},
			{"textposition", "top center"}}, true
	}
	// Scatter (and any other mark).
	symbol := l.style.symbol
	if symbol == "" {
		symbol = "circle"
	}
	t := kvObject{{"type", "scatter"}, {"mode", "markers"}, {"name", l.name}, {"x", xs}, {"y", ys},
		{"marker", kvObject{{"color", markerColour}, {"size", vizF(size)}, {"symbol", symbol}}}, {"opacity", vizF(l.alpha())}}
	if l.style.hoverField != "" {
		t.set("text", l.column(l.style.hoverField))
		t.set("hoverinfo", "text")
	}
	return t, false
}

// plotlyAnnotations turns the panel's annotations into layout shapes and
// annotations on the given axes (the seed's add_hline, add_vline,
// add_hrect and add_vrect).
func (p *vizPanel) plotlyAnnotations(xr, yr string) (shapes, notes []kvObject) {
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
		line := kvObject{{"color", colour}, {"dash", dash}, {"width", vizF(width)}}
		switch a.kind {
		case vizAnnLine, vizAnnThreshold:
			if a.axis == "x" {
				shapes = append(shapes, kvObject{{"type", "line"}, {"xref", xr}, {"x0", vizF(a.value)}, {"x1", vizF(a.value)},
					{"yref", yr + " domain"}, {"y0", 0}, {"y1", 1}, {"line", line}})
				if a.label != "" {
					notes = append(notes, kvObject{{"text", a.label}, {"xref", xr}, {"x", vizF(a.value)}, {"yref", yr + " domain"},
						{"y", 1}, {"xanchor", "left"}, {"yanchor", "bottom"}, {"showarrow", false}})
				}
			} else {
				shapes = append(shapes, kvObject{{"type", "line"}, {"xref", xr + " domain"}, {"x0", 0}, {"x1", 1},
					{"yref", yr}, {"y0", vizF(a.value)}, {"y1", vizF(a.value)}, {"line", line}})
				if a.label != "" {
					notes = append(notes, kvObject{{"text", a.label}, {"xref", xr + " domain"}, {"x", 1}, {"yref", yr},
						{"y", vizF(a.value)}, {"xanchor", "right"}, {"yanchor", "bottom"}, {"showarrow", false}})
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
			notes = append(notes, kvObject{{"text", a.label}, {"xref", "paper"}, {"yref", "paper"}, {"x", 0},
				{"y", vizF(1 - 0.06*float64(labels))}, {"xanchor", "left"}, {"yanchor", "top"}, {"showarrow", false},
				{"font", kvObject{{"color", colour}}}})
			labels++
		}
	}
	return shapes, notes
}

func vizRect(axis, xr, yr string, from, to float64, fill string) kvObject {
	if axis == "x" {
		return kvObject{{"type", "rect"}, {"xref", xr}, {"x0", vizF(from)}, {"x1", vizF(to)}, {"yref", yr + " domain"},
			{"y0", 0}, {"y1", 1}, {"fillcolor", fill}, {"line", kvObject{{"width", 0}}}}
	}
	return kvObject{{"type", "rect"}, {"xref", xr + " domain"}, {"x0", 0}, {"x1", 1}, {"yref", yr}, {"y0", vizF(from)},
		{"y1", vizF(to)}, {"fillcolor", fill}, {"line", kvObject{{"width", 0}}}}
}
