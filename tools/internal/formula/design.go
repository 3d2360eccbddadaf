package formula

import (
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/pyfmt"
)

// The model matrix, built as patsy's design_matrix_builders and
// build_design_matrices build it (patsy 0.5.3, build.py and redundancy.py):
//
//   - Factors: a numeric column is one numeric column; I(x ** k) is x
//     raised to k; a column of strings or booleans, or any column inside
//     C(), is categorical with treatment coding: the levels are the
//     distinct non-missing values over all rows (rows dropped later for a
//     missing value elsewhere included), sorted, and the first is the
//     reference.
//   - Column order: the terms are grouped into buckets by their set of
//     numeric factors. The bucket with no numeric factor (the intercept and
//     purely categorical terms) comes first, the others in order of first
//     appearance; within a bucket terms are stably sorted by degree. With
//     numeric factors only, every term is its own bucket and the order is the
//     formula's (A*B*C gives A, B, A:B, C, A:C, B:C, A:B:C); with categorical
//     factors only, C(a)*C(b)*C(c) gives a, b, c, a:b, a:c, b:c, a:b:c.
//   - Coding: within a bucket, each term is split into the subterms of its
//     categorical factors not yet spanned by an earlier term (patsy's
//     pick_contrasts_for_term), and a factor whose lower-order subterm is
//     missing is coded full rank ("x:a[a1]", "x:a[a2]" when the model has
//     x:a but not x) instead of reduced ("a[T.a2]").
//   - Names: "Intercept"; a numeric factor's name ("A", "I(A ** 2)"); a
//     categorical factor's name with the level ("a[T.b]" reduced, "a[b]"
//     full rank, "C(x)[T.2]" for numbers); interaction pieces joined by ":".
//     Within a multi-column subterm the first factor's level varies fastest.
//   - Missing values: a row with a missing value in any column the formula
//     reads (response included) is dropped (patsy's NA_action="drop").

// Design is a model matrix with patsy's layout.
type Design struct {
	// X is the n×p model matrix.
	X *mat.Dense
	// Y is the response, one value per row of X; nil when the formula has
	// no left-hand side.
	Y []float64
	// Response is the response column, "" when there is none.
	Response string
	// Columns are the p column names in patsy's style.
	Columns []string
	// Terms are the model's terms in column order, the intercept (a Term
	// with no factors) included when the model has one. A term whose
	// columns were all dropped (see Drop) is not listed.
	Terms []DesignTerm
	// Rows maps each row of X to the index of the input row it came from;
	// rows with a missing value are not in X.
	Rows []int

	plan *plan
	keep []int // columns of the plan's full layout that X holds, in order
}

// DesignTerm is one term of a Design and its columns, X[:, Start:End].
type DesignTerm struct {
	Term       Term
	Name       string
	Start, End int
}

// Degrees returns, for each column, the degree of its term (0 for the
// intercept, 1 for a main effect or I(x ** k), 2 for a two-factor
// interaction, …).
func (d *Design) Degrees() []int {
	out := make([]int, len(d.Columns))
	for _, t := range d.Terms {
		for j := t.Start; j < t.End; j++ {
			out[j] = t.Term.Degree()
		}
	}
	return out
}

// TermOf returns the index in d.Terms of the term that owns column j.
func (d *Design) TermOf(j int) int {
	for i, t := range d.Terms {
		if j >= t.Start && j < t.End {
			return i
		}
	}
	return -1
}

// Drop returns a copy of the design without the given columns (indices into
// d.Columns; duplicates are allowed), as statsmodels' from_formula does with
// drop_cols. Terms left without columns are removed. Matrix on the result
// builds the same reduced columns for new data. It panics on an index out
// of range.
func (d *Design) Drop(cols []int) *Design {
	gone := make([]bool, len(d.Columns))
	for _, j := range cols {
		gone[j] = true
	}
	var keepIdx []int
	for j := range d.Columns {
		if !gone[j] {
			keepIdx = append(keepIdx, j)
		}
	}
	out := &Design{Y: d.Y, Response: d.Response, Rows: d.Rows, plan: d.plan}
	n, _ := d.X.Dims()
	out.X = selectColumns(d.X, n, keepIdx)
	for _, j := range keepIdx {
		out.Columns = append(out.Columns, d.Columns[j])
		out.keep = append(out.keep, d.keep[j])
	}
	for _, t := range d.Terms {
		first, count := -1, 0
		for pos, j := range keepIdx {
			if j >= t.Start && j < t.End {
				if first < 0 {
					first = pos
				}
				count++
			}
		}
		if count > 0 {
			out.Terms = append(out.Terms, DesignTerm{Term: t.Term, Name: t.Name, Start: first, End: first + count})
		}
	}
	return out
}

// selectColumns copies the chosen columns of x; with no columns it returns
// nil (gonum has no empty matrices).
func selectColumns(x *mat.Dense, n int, cols []int) *mat.Dense {
	if len(cols) == 0 || n == 0 {
		return nil
	}
	out := mat.NewDense(n, len(cols), nil)
	for i := 0; i < n; i++ {
		for k, j := range cols {
			out.Set(i, k, x.At(i, j))
		}
	}
	return out
}

// plan is the coding of a formula against its data: what Build derives and
// Matrix reuses for new rows.
type plan struct {
	response string
	factors  []factorPlan
	terms    []termPlan // design order
	columns  []string   // the full layout
}

type factorPlan struct {
	f       Factor
	numeric bool
	levels  []level // categorical
	index   map[string]int
	src     colKind // what the data column holds
}

type subtermPlan struct {
	factors []int  // indices into plan.factors, in term order
	full    []bool // per factor: categorical coded full rank
	ncols   int
}

type termPlan struct {
	term     Term
	subterms []subtermPlan
	ncols    int
}

// ncols returns the number of columns factor i contributes to a subterm.
func (p *plan) width(i int, full bool) int {
	fp := p.factors[i]
	if fp.numeric {
		return 1
	}
	if full {
		return len(fp.levels)
	}
	return max(len(fp.levels)-1, 0)
}

// Build builds the model matrix of f from rows. Errors are *errcode.Error:
// input_too_large for more than lim.MaxRows rows or lim.MaxColumns columns,
// input_invalid for a column the formula uses but the data lacks, a column
// of mixed or unsupported values, a non-numeric response or I(x ** k)
// argument, a power that overflows, no rows without missing values, or a
// model without columns. A nil lim means the defaults.
func (f *Formula) Build(rows Rows, lim *Limits) (*Design, error) {
	l := lim.withDefaults()
	if len(rows) > l.MaxRows {
		return nil, errcode.New(errcode.InputTooLarge, "data has %d rows; the cap is %d", len(rows), l.MaxRows).
			With("key", "data").With("limit", l.MaxRows).With("observed", len(rows))
	}
	if len(rows) == 0 {
		return nil, errcode.New(errcode.InputInvalid, "data has no rows").With("key", "data")
	}
	vars := f.Variables()
	read, err := readColumns(rows, vars)
	if err != nil {
		return nil, err
	}
	cols := make(map[string]*column, len(vars))
	for k, v := range vars {
		cols[v] = read[k]
	}
	if f.Response != "" {
		if k := cols[f.Response].kind; k != colNumber && k != colMissing {
			return nil, errcode.New(errcode.InputInvalid, "the response %s must be numeric; it holds %s", pyfmt.Quote(f.Response), k).
				With("key", "data").With("column", f.Response)
		}
	}
	p, err := newPlan(f, cols, l.MaxColumns)
	if err != nil {
		return nil, err
	}
	// Rows without a missing value in any column used.
	var keepRows []int
	for i := range rows {
		ok := true
		for _, c := range read {
			if c.cells[i].kind == colMissing {
				ok = false
				break
			}
		}
		if ok {
			keepRows = append(keepRows, i)
		}
	}
	if len(keepRows) == 0 {
		return nil, errcode.New(errcode.InputInvalid, "every row has a missing value in a column the formula uses").With("key", "data")
	}
	get := func(v string, r int) cell { return cols[v].cells[keepRows[r]] }
	x, err := p.fill(len(keepRows), get, nil)
	if err != nil {
		return nil, err
	}
	d := &Design{X: x, Response: f.Response, Columns: p.columns, Rows: keepRows, plan: p}
	d.keep = make([]int, len(p.columns))
	for j := range d.keep {
		d.keep[j] = j
	}
	start := 0
	for _, t := range p.terms {
		d.Terms = append(d.Terms, DesignTerm{Term: t.term, Name: t.term.Name(), Start: start, End: start + t.ncols})
		start += t.ncols
	}
	if f.Response != "" {
		d.Y = make([]float64, len(keepRows))
		for r := range d.Y {
			d.Y[r] = get(f.Response, r).num
		}
	}
	return d, nil
}

// newPlan derives the coding: factor kinds and levels, the design order of
// the terms and their subterms, and the column names, refusing more than
// maxCols columns before anything is allocated for them.
func newPlan(f *Formula, cols map[string]*column, maxCols int) (*plan, error) {
	p := &plan{response: f.Response}
	index := map[Factor]int{}
	terms := make([]Term, 0, f.NumTerms())
	if f.Intercept {
		terms = append(terms, Term{})
	}
	terms = append(terms, f.Terms...)
	for _, t := range terms {
		for _, fac := range t {
			if _, ok := index[fac]; ok {
				continue
			}
			c := cols[fac.Var]
			fp := factorPlan{f: fac, src: c.kind}
			switch fac.Kind {
			case Variable:
				fp.numeric = c.kind == colNumber || c.kind == colMissing
			case Power:
				if c.kind != colNumber && c.kind != colMissing {
					return nil, errcode.New(errcode.InputInvalid, "%s needs a numeric column; %s holds %s", fac.Name(), pyfmt.Quote(fac.Var), c.kind).
						With("key", "data").With("column", fac.Var)
				}
				fp.numeric = true
			}
			if !fp.numeric {
				fp.levels = levels(c)
				fp.index = make(map[string]int, len(fp.levels))
				for i, lv := range fp.levels {
					fp.index[lv.key] = i
				}
			}
			index[fac] = len(p.factors)
			p.factors = append(p.factors, fp)
		}
	}

	// Buckets by the set of numeric factors, the empty set first.
	type bucket struct {
		key   string
		terms []Term
	}
	var buckets []*bucket
	byKey := map[string]*bucket{}
	for _, t := range terms {
		var ids []int
		for _, fac := range t {
			if i := index[fac]; p.factors[i].numeric {
				ids = append(ids, i)
			}
		}
		sort.Ints(ids)
		k := intsKey(ids)
		b, ok := byKey[k]
		if !ok {
			b = &bucket{key: k}
			byKey[k] = b
			if k == "" {
				buckets = append([]*bucket{b}, buckets...)
			} else {
				buckets = append(buckets, b)
			}
		}
		b.terms = append(b.terms, t)
	}
	total := 0
	for _, b := range buckets {
		sort.SliceStable(b.terms, func(i, j int) bool { return len(b.terms[i]) < len(b.terms[j]) })
		used := map[string]bool{}
		for _, t := range b.terms {
			tp := termPlan{term: t}
			for _, coding := range pickContrasts(t, index, p.factors, used) {
				st := subtermPlan{ncols: 1}
				for _, fac := range t {
					i := index[fac]
					full, inSub := coding[i]
					if !p.factors[i].numeric && !inSub {
						continue
					}
					st.factors = append(st.factors, i)
					st.full = append(st.full, full)
					// Clamped at maxCols+1, so that many-level factors cannot overflow.
					if w := p.width(i, full); w > 0 && st.ncols > maxCols/w {
						st.ncols = maxCols + 1
					} else {
						st.ncols *= w
					}
				}
				tp.subterms = append(tp.subterms, st)
				tp.ncols += st.ncols
				total += st.ncols
				if total > maxCols {
					return nil, errcode.New(errcode.InputTooLarge, "the model matrix would have more than %d columns (intercept and one per non-reference level of each categorical factor included); the cap is %d", maxCols, maxCols).
						With("key", "formula").With("limit", maxCols)
				}
			}
			p.terms = append(p.terms, tp)
		}
	}
	if total == 0 {
		return nil, errcode.New(errcode.InputInvalid, "the model has no columns (no intercept and no term with a column)").With("key", "formula")
	}
	for _, tp := range p.terms {
		for _, st := range tp.subterms {
			p.columns = append(p.columns, p.subtermNames(st)...)
		}
	}
	return p, nil
}

func intsKey(ids []int) string {
	var b strings.Builder
	for _, id := range ids {
		b.WriteRune(rune(id + 1))
	}
	return b.String()
}

// pickContrasts is patsy's pick_contrasts_for_term: the subterms of t's
// categorical factors (as sets, shortest first, then in term order) that no
// earlier term of the bucket has used, simplified so that a subterm like
// a-:b- absorbs a- into a-:b+. Each result maps a categorical factor index
// to whether it is coded full rank; numeric factors are in every subterm.
func pickContrasts(t Term, index map[Factor]int, factors []factorPlan, used map[string]bool) []map[int]bool {
	var cat []int // factor indices, term order
	for _, fac := range t {
		if i := index[fac]; !factors[i].numeric {
			cat = append(cat, i)
		}
	}
	// Subsets of positions, by size, then lexicographically by position.
	var subsets [][]int
	for mask := 0; mask < 1<<len(cat); mask++ {
		var s []int
		for k := range cat {
			if mask>>k&1 == 1 {
				s = append(s, k)
			}
		}
		subsets = append(subsets, s)
	}
	sort.SliceStable(subsets, func(i, j int) bool {
		a, b := subsets[i], subsets[j]
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
	type efactor struct {
		pos  int // position in cat
		full bool
	}
	var subterms [][]efactor
	for _, s := range subsets {
		ids := make([]int, len(s))
		for k, pos := range s {
			ids[k] = cat[pos]
		}
		sort.Ints(ids)
		key := intsKey(ids)
		if used[key] {
			continue
		}
		st := make([]efactor, len(s))
		for k, pos := range s {
			st[k] = efactor{pos: pos}
		}
		subterms = append(subterms, st)
	}
	for _, st := range subterms {
		ids := make([]int, len(st))
		for k, e := range st {
			ids[k] = cat[e.pos]
		}
		sort.Ints(ids)
		used[intsKey(ids)] = true
	}
	has := func(st []efactor, e efactor) bool {
		for _, g := range st {
			if g == e {
				return true
			}
		}
		return false
	}
	// Simplify greedily from the left, as patsy does, until nothing changes.
	for changed := true; changed; {
		changed = false
	outer:
		for si, short := range subterms {
			for li := si + 1; li < len(subterms); li++ {
				long := subterms[li]
				if len(long)-len(short) != 1 {
					continue
				}
				superset := true
				for _, e := range short {
					if !has(long, e) {
						superset = false
						break
					}
				}
				if !superset {
					continue
				}
				var diff efactor
				for _, e := range long {
					if !has(short, e) {
						diff = e
					}
				}
				merged := append(append([]efactor(nil), short...), efactor{pos: diff.pos, full: true})
				subterms[li] = merged
				subterms = append(subterms[:si], subterms[si+1:]...)
				changed = true
				break outer
			}
		}
	}
	out := make([]map[int]bool, len(subterms))
	for k, st := range subterms {
		m := make(map[int]bool, len(st))
		for _, e := range st {
			m[cat[e.pos]] = e.full
		}
		out[k] = m
	}
	return out
}

// combos calls fn for every column of a subterm with the level offset of
// each factor, the first factor varying fastest (patsy follows R here).
func (p *plan) combos(st subtermPlan, fn func(idx []int)) {
	idx := make([]int, len(st.factors))
	widths := make([]int, len(st.factors))
	for k, i := range st.factors {
		widths[k] = p.width(i, st.full[k])
		if widths[k] == 0 {
			return
		}
	}
	for {
		fn(idx)
		k := 0
		for ; k < len(idx); k++ {
			idx[k]++
			if idx[k] < widths[k] {
				break
			}
			idx[k] = 0
		}
		if k == len(idx) {
			return
		}
	}
}

// levelOf returns the level a column offset stands for: offset itself for
// full-rank coding, offset+1 (skipping the reference) for reduced coding.
func levelOf(offset int, full bool) int {
	if full {
		return offset
	}
	return offset + 1
}

func (p *plan) subtermNames(st subtermPlan) []string {
	var out []string
	p.combos(st, func(idx []int) {
		if len(st.factors) == 0 {
			out = append(out, "Intercept")
			return
		}
		parts := make([]string, len(st.factors))
		for k, i := range st.factors {
			fp := p.factors[i]
			name := fp.f.Name()
			if !fp.numeric {
				lv := fp.levels[levelOf(idx[k], st.full[k])]
				if st.full[k] {
					name += "[" + lv.name + "]"
				} else {
					name += "[T." + lv.name + "]"
				}
			}
			parts[k] = name
		}
		out = append(out, strings.Join(parts, ":"))
	})
	return out
}

// fill builds the n×p matrix of the full layout, or of the columns in keep
// when keep is not nil. get returns variable v of row r, which the caller
// guarantees is not missing and of the column kind the plan was built for.
func (p *plan) fill(n int, get func(v string, r int) cell, keep []int) (*mat.Dense, error) {
	// Per-factor values: numeric values, or level indices.
	nums := make([][]float64, len(p.factors))
	lvls := make([][]int, len(p.factors))
	for i, fp := range p.factors {
		if fp.numeric {
			v := make([]float64, n)
			for r := range v {
				x := get(fp.f.Var, r).num
				if fp.f.Kind == Power {
					x = math.Pow(x, float64(fp.f.Exponent))
					if math.IsInf(x, 0) || math.IsNaN(x) {
						return nil, errcode.New(errcode.InputInvalid, "%s is not finite for a value of %s (%v)", fp.f.Name(), pyfmt.Quote(fp.f.Var), get(fp.f.Var, r).num).
							With("key", "data").With("column", fp.f.Var)
					}
				}
				v[r] = x
			}
			nums[i] = v
			continue
		}
		li := make([]int, n)
		for r := range li {
			c := get(fp.f.Var, r)
			k, ok := fp.index[levelKey(c)]
			if !ok || c.kind != fp.src {
				return nil, errcode.New(errcode.InputInvalid, "%s has no level %s; its levels are those of the fitted data", fp.f.Name(), describeCell(c)).
					With("key", "data").With("column", fp.f.Var)
			}
			li[r] = k
		}
		lvls[i] = li
	}
	width := len(p.columns)
	if keep != nil {
		width = len(keep)
	}
	if width == 0 {
		return nil, nil
	}
	pos := map[int]int{} // full-layout column → output column
	for k, j := range keep {
		pos[j] = k
	}
	x := mat.NewDense(n, width, nil)
	col := 0
	for _, tp := range p.terms {
		for _, st := range tp.subterms {
			p.combos(st, func(idx []int) {
				j := col
				col++
				if keep != nil {
					k, ok := pos[j]
					if !ok {
						return
					}
					j = k
				}
				for r := 0; r < n; r++ {
					v := 1.0
					for k, i := range st.factors {
						if p.factors[i].numeric {
							v *= nums[i][r]
						} else if lvls[i][r] != levelOf(idx[k], st.full[k]) {
							v = 0
							break
						}
					}
					x.Set(r, j, v)
				}
			})
		}
	}
	return x, nil
}

func describeCell(c cell) string {
	switch c.kind {
	case colNumber:
		return pyfmt.Repr(c.num)
	case colBool:
		if c.b {
			return "True"
		}
		return "False"
	case colString:
		return pyfmt.Quote(c.str)
	}
	return "None"
}

// Matrix builds the model matrix for new rows with the coding of d: the
// same columns (after any Drop), the same categorical levels. The response
// is not needed. Every column a factor reads must be present and not
// missing in every row, numeric where the design has numbers, and a
// categorical value must be one of the design's levels; otherwise Matrix
// returns an input_invalid *errcode.Error. It returns nil for empty rows.
func (d *Design) Matrix(rows Rows) (*mat.Dense, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	p := d.plan
	var vars []string
	cols := map[string]*column{}
	for _, fp := range p.factors {
		if _, ok := cols[fp.f.Var]; !ok {
			cols[fp.f.Var] = nil
			vars = append(vars, fp.f.Var)
		}
	}
	read, err := readColumns(rows, vars)
	if err != nil {
		return nil, err
	}
	for k, v := range vars {
		for r, cl := range read[k].cells {
			if cl.kind == colMissing {
				return nil, errcode.New(errcode.InputInvalid, "row %d has no value for %s", r, pyfmt.Quote(v)).
					With("column", v).With("row", r)
			}
		}
		cols[v] = read[k]
	}
	for _, fp := range p.factors {
		c := cols[fp.f.Var]
		switch {
		case fp.numeric && c.kind != colNumber:
			return nil, errcode.New(errcode.InputInvalid, "%s must be numeric, as in the fitted data; it holds %s", pyfmt.Quote(fp.f.Var), c.kind).
				With("column", fp.f.Var)
		case !fp.numeric && c.kind != fp.src:
			return nil, errcode.New(errcode.InputInvalid, "%s must hold %s, as in the fitted data; it holds %s", pyfmt.Quote(fp.f.Var), fp.src, c.kind).
				With("column", fp.f.Var)
		}
	}
	get := func(v string, r int) cell { return cols[v].cells[r] }
	return p.fill(len(rows), get, d.keep)
}
