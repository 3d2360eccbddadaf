package ols

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/internal/stats"
)

// SummaryOptions configure Summary.
type SummaryOptions struct {
	// Title heads the text. Defaults to "OLS Regression Results".
	Title string
	// DepVar names the response. Defaults to "y".
	DepVar string
	// Alpha sets the confidence intervals of the coefficient table.
	// Defaults to 0.05.
	Alpha float64
}

// Summary returns statsmodels' OLS summary text (RegressionResults.summary)
// as the seed's fit_linear_model prints it, with one difference: there are
// no Date and Time rows, so the same fit always gives the same text. Like
// the seed it shows the residual standard error ("Residual std error",
// √Scale, or "---" when Scale is infinite) and drops statsmodels'
// "Covariance Type" row; unlike the seed, which wrote the residual standard
// error over "Df Model", it keeps Df Model, in the row Date left free.
//
// The layout is statsmodels' own: three tables of at least 78 characters
// (model statistics; coefficients with standard errors, t, P>|t| and the
// confidence interval; residual diagnostics: Omnibus, Durbin–Watson,
// Jarque–Bera, skewness, kurtosis and the condition number), then
// statsmodels' notes.
func (r *Results) Summary(o SummaryOptions) string {
	if o.Title == "" {
		o.Title = "OLS Regression Results"
	}
	if o.DepVar == "" {
		o.DepVar = "y"
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	uncentered := ""
	if r.KConstant == 0 {
		uncentered = " (uncentered)"
	}
	se := "---"
	if !math.IsInf(r.Scale, 0) {
		se = pyPercent("%.3f", math.Sqrt(r.Scale))
	}
	top := twoColumns(
		[][2]string{
			{"Dep. Variable:", o.DepVar},
			{"Model:", "OLS"},
			{"Method:", "Least Squares"},
			{"No. Observations:", dOrF(r.NObs)},
			{"Df Residuals:", dOrF(r.DfResid)},
			{"Df Model:", dOrF(r.DfModel)},
			{"Residual std error", se},
		},
		[][2]string{
			{"R-squared" + uncentered + ":", pyPercent("%#8.3f", r.RSquared)},
			{"Adj. R-squared" + uncentered + ":", pyPercent("%#8.3f", r.RSquaredAdj)},
			{"F-statistic:", pyPercent("%#8.4g", r.FValue)},
			{"Prob (F-statistic):", pyPercent("%#6.3g", r.FPValue)},
			{"Log-Likelihood:", pyPercent("%#8.5g", r.LogLike)},
			{"AIC:", pyPercent("%#8.4g", r.AIC)},
			{"BIC:", pyPercent("%#8.4g", r.BIC)},
		})

	lo, hi := r.ConfInt(o.Alpha)
	params := [][]string{{"", "coef", "std err", "t", "P>|t|",
		"[" + pyfmt.Repr(o.Alpha/2), pyfmt.Repr(1-o.Alpha/2) + "]"}}
	for j, name := range r.Names {
		params = append(params, []string{
			name,
			forg(r.Params[j], 4),
			forg(r.BSE[j], 3),
			fmt.Sprintf("%8s", forg(r.TValues[j], 3)),
			pyPercent("%#6.3f", r.PValues[j]),
			fmt.Sprintf("%11s", forg(lo[j], 3)),
			fmt.Sprintf("%11s", forg(hi[j], 3)),
		})
	}

	omni, omniP := stats.Omnibus(r.Resid)
	jb, jbP, skew, kurt := stats.JarqueBera(r.Resid)
	diag := twoColumns(
		[][2]string{
			{"Omnibus:", pyPercent("%#6.3f", omni)},
			{"Prob(Omnibus):", pyPercent("%#6.3f", omniP)},
			{"Skew:", pyPercent("%#6.3f", skew)},
			{"Kurtosis:", pyPercent("%#6.3f", kurt)},
		},
		[][2]string{
			{"Durbin-Watson:", pyPercent("%#8.3f", stats.DurbinWatson(r.Resid))},
			{"Jarque-Bera (JB):", pyPercent("%#8.3f", jb)},
			{"Prob(JB):", pyPercent("%#8.3g", jbP)},
			{"Cond. No.", pyPercent("%#8.3g", r.CondNo)},
		})

	var b strings.Builder
	// The top table with its title, without its closing rule (statsmodels
	// drops the last line of every table but the last).
	width := utf8.RuneCountInString(top[0]) // characters, as Python counts them
	b.WriteString(center(o.Title, width))
	b.WriteByte('\n')
	b.WriteString(strings.Repeat("=", width))
	for _, line := range top {
		b.WriteByte('\n')
		b.WriteString(line)
	}
	// Coefficients: a rule, the header, a dashed rule, the rows.
	lines := table(params, 10, nil)
	width = utf8.RuneCountInString(lines[0])
	b.WriteByte('\n')
	b.WriteString(strings.Repeat("=", width))
	for i, line := range lines {
		b.WriteByte('\n')
		b.WriteString(line)
		if i == 0 {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat("-", width))
		}
	}
	// Diagnostics, closed by a rule.
	width = utf8.RuneCountInString(diag[0])
	b.WriteByte('\n')
	b.WriteString(strings.Repeat("=", width))
	for _, line := range diag {
		b.WriteByte('\n')
		b.WriteString(line)
	}
	b.WriteByte('\n')
	b.WriteString(strings.Repeat("=", width))

	var notes []string
	if r.KConstant == 0 {
		notes = append(notes, "R² is computed without centering (uncentered) since the model does not contain a constant.")
	}
	notes = append(notes, "Standard Errors assume that the covariance matrix of the errors is correctly specified.")
	if r.NObs < len(r.Params) {
		notes = append(notes, "The input rank is higher than the number of observations.")
	}
	if sv := r.SingularValues; len(sv) > 0 {
		if smallest := sv[len(sv)-1] * sv[len(sv)-1]; smallest < 1e-10 {
			notes = append(notes, "The smallest eigenvalue is "+pyPercent("%6.3g", smallest)+". This might indicate that there are\n"+
				"strong multicollinearity problems or that the design matrix is singular.")
		} else if r.CondNo > 1000 {
			notes = append(notes, "The condition number is large, "+pyPercent("%6.3g", r.CondNo)+". This might indicate that there are\n"+
				"strong multicollinearity or other numerical problems.")
		}
	}
	b.WriteString("\n\nNotes:")
	for i, n := range notes {
		b.WriteString("\n[" + strconv.Itoa(i+1) + "] " + n)
	}
	return b.String()
}

// twoColumns lays out statsmodels' two-column tables (summary_top): a left
// label and value, then a right label (indented by two spaces and padded to
// 21) and value; every column at least 18 wide, labels flush left, values
// flush right, columns separated by one space.
func twoColumns(left, right [][2]string) []string {
	for len(left) < len(right) {
		left = append(left, [2]string{" ", " "})
	}
	for len(right) < len(left) {
		right = append(right, [2]string{" ", " "})
	}
	rows := make([][]string, len(left))
	for i := range left {
		rows[i] = []string{left[i][0], left[i][1], fmt.Sprintf("%-21s", "  "+right[i][0]), right[i][1]}
	}
	return table(rows, 18, []bool{true, false, true, false})
}

// table formats rows as statsmodels' SimpleTable does: each column as wide
// as its widest cell and at least minWidth, the first column (or those
// flagged in leftAlign) flush left, the others flush right, one space
// between columns.
func table(rows [][]string, minWidth int, leftAlign []bool) []string {
	ncols := len(rows[0])
	widths := make([]int, ncols)
	for j := range widths {
		widths[j] = minWidth
		for _, row := range rows {
			widths[j] = max(widths[j], utf8.RuneCountInString(row[j]))
		}
	}
	out := make([]string, len(rows))
	for i, row := range rows {
		cells := make([]string, ncols)
		for j, c := range row {
			pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c))
			left := j == 0
			if leftAlign != nil {
				left = leftAlign[j]
			}
			if left {
				cells[j] = c + pad
			} else {
				cells[j] = pad + c
			}
		}
		out[i] = strings.Join(cells, " ")
	}
	return out
}

// center centres s in width as Python's str.center does.
func center(s string, width int) string {
	n := utf8.RuneCountInString(s)
	if n >= width {
		return s
	}
	marg := width - n
	left := marg/2 + (marg & width & 1)
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", marg-left)
}

// pyPercent formats v with a Python %-format for one float ("%#8.3f",
// "%#6.3g", …). Go's fmt agrees with Python for finite values; Python
// spells the others inf, -inf and nan, right-aligned in the width.
func pyPercent(spec string, v float64) string {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		return fmt.Sprintf(spec, v)
	}
	s := "nan"
	switch {
	case math.IsInf(v, 1):
		s = "inf"
	case math.IsInf(v, -1):
		s = "-inf"
	}
	w := 0
	digits := strings.TrimLeft(spec[1:], "#-+ 0")
	if i := strings.IndexAny(digits, ".fgde"); i > 0 {
		w, _ = strconv.Atoi(digits[:i])
	}
	if len(s) < w {
		s = strings.Repeat(" ", w-len(s)) + s
	}
	return s
}

// forg is statsmodels' iolib.summary.forg: 3 (or 4) decimals in 9 (10)
// characters, switching to %g below 1e-4 or from 1e4 in magnitude.
func forg(x float64, prec int) string {
	w := 9
	if prec == 4 {
		w = 10
	}
	if a := math.Abs(x); a >= 1e4 || a < 1e-4 {
		return pyPercent("%"+strconv.Itoa(w)+"."+strconv.Itoa(prec)+"g", x)
	}
	return pyPercent("%"+strconv.Itoa(w)+"."+strconv.Itoa(prec)+"f", x)
}

// dOrF is statsmodels' d_or_f for counts: an integer right-aligned in 6.
func dOrF(n int) string { return fmt.Sprintf("%6d", n) }
