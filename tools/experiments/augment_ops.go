package experiments

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/pydict"
	"github.com/toolq/toolq/tools/internal/pyfmt"
	"github.com/toolq/toolq/tools/tool"
)

// The augmentations of augment_design (the seed's experiments/augment.py
// handlers).

func copyRows(rows [][]float64) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = slices.Clone(r)
	}
	return out
}

func (in *augmentInput) definingWords() []doeWord {
	return doeGeneratorRelation(in.generators, in.design.names)
}

func wordStrings(ws []doeWord, names []string, prefix string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = prefix + doeWordString(w, names)
	}
	return out
}

// augmentFoldover appends the design with every sign reversed: odd-length
// words of the defining relation are eliminated, even ones survive.
func augmentFoldover(in *augmentInput) *augmentWork {
	d := in.design
	folded := copyRows(d.rows)
	for _, r := range folded {
		for j := range r {
			r[j] = -r[j]
		}
	}
	w := &augmentWork{
		after: append(copyRows(d.rows), folded...), afterInt: d.isInt,
		newRows: folded, newInt: d.isInt, explain: true,
	}
	w.foldWords(in, func(word doeWord) bool { return word.size()%2 == 1 }, "New defining relation", "Eliminated defining words")
	gen := w.genAfter
	w.extra = func(o *pydict.Dict) { o.Set("defining_relation", stringsOrNil(gen)) }
	return w
}

// foldWords splits the defining words of the design's generators (none
// without generators) into those a fold eliminates and those that survive,
// sets the surviving ones as the new defining relation and notes both, as
// the seed's foldover and semifold do (with their own labels).
func (w *augmentWork) foldWords(in *augmentInput, eliminates func(doeWord) bool, survivingLabel, eliminatedLabel string) {
	if len(in.generators) == 0 {
		return
	}
	var surviving, eliminated []doeWord
	for _, word := range in.definingWords() {
		if eliminates(word) {
			eliminated = append(eliminated, word)
		} else {
			surviving = append(surviving, word)
		}
	}
	names := in.design.names
	if surviving != nil {
		w.genAfter = wordStrings(surviving, names, "I=")
		w.notes = append(w.notes, survivingLabel+": "+strings.Join(w.genAfter, ", ")+".")
	} else {
		w.notes = append(w.notes, "All defining words eliminated — design is now full resolution.")
	}
	if eliminated != nil {
		w.notes = append(w.notes, eliminatedLabel+": "+strings.Join(wordStrings(eliminated, names, ""), ", ")+".")
	}
}

func stringsOrNil(s []string) any {
	if s == nil {
		return nil
	}
	return s
}

// augmentSemifold reruns the runs where the fold factor is at −1 with that
// factor at +1; the fold factor is fold_on or the factor in most of the
// shortest defining words (the first factor without generators).
func augmentSemifold(in *augmentInput) *augmentWork {
	d := in.design
	fold := in.foldOn
	if fold == "" {
		fold = autoFoldFactor(in)
	}
	fi := slices.Index(d.names, fold)
	var half [][]float64
	for _, r := range d.rows {
		if r[fi] == -1 {
			c := slices.Clone(r)
			c[fi] = -c[fi]
			half = append(half, c)
		}
	}
	w := &augmentWork{
		after: append(copyRows(d.rows), half...), afterInt: d.isInt,
		newRows: half, newInt: d.isInt, explain: true,
		notes: []string{"Folded on factor: " + fold + "."},
	}
	if w.newRows == nil {
		w.newRows = [][]float64{}
	}
	w.foldWords(in, func(word doeWord) bool { return word>>fi&1 == 1 }, "Surviving defining words", "De-aliased by removing words")
	gen := w.genAfter
	w.extra = func(o *pydict.Dict) {
		o.Set("fold_on", fold)
		o.Set("defining_relation", stringsOrNil(gen))
	}
	return w
}

// autoFoldFactor is the seed's _auto_select_fold_factor.
func autoFoldFactor(in *augmentInput) string {
	names := in.design.names
	if len(in.generators) == 0 {
		return names[0]
	}
	words := in.definingWords()
	if len(words) == 0 {
		return names[0]
	}
	minLen := doeMinWordLength(words)
	best, bestCount := names[0], 0
	for i, n := range names {
		c := 0
		for _, w := range words {
			if w.size() == minLen && w>>i&1 == 1 {
				c++
			}
		}
		if c > bestCount {
			best, bestCount = n, c
		}
	}
	return best
}

func augmentCenterPoints(in *augmentInput) *augmentWork {
	d := in.design
	n := in.n
	if n == 0 {
		n = 3
	}
	centre := doeZeroRows(n, len(d.names))
	return &augmentWork{
		after: append(copyRows(d.rows), centre...), afterInt: allFloat(len(d.names)),
		newRows: centre, newInt: allFloat(len(d.names)), explain: true, genAfter: in.generators,
		notes: []string{
			"Added " + strconv.Itoa(n) + " center point(s) at the midpoint of all factors.",
			"Center points enable testing for curvature (quadratic effects).",
		},
	}
}

func augmentReplicate(in *augmentInput) *augmentWork {
	d := in.design
	n := in.n
	if n == 0 {
		n = 1
	}
	var rep [][]float64
	for range n {
		rep = append(rep, copyRows(d.rows)...)
	}
	return &augmentWork{
		after: append(copyRows(d.rows), rep...), afterInt: d.isInt,
		newRows: rep, newInt: d.isInt, explain: true, genAfter: in.generators,
		notes: []string{
			"Added " + strconv.Itoa(n) + " complete replicate(s) of the original " + strconv.Itoa(len(d.rows)) + "-run design.",
			"Replication provides pure error degrees of freedom for lack-of-fit testing.",
		},
	}
}

// augmentAlpha is the seed's _compute_alpha: a number as given; rotatable
// (also the default) n_f^¼ with n_f the runs that are not centre points;
// face_centered 1; orthogonal √(k(√(n_f + 2k) − √n_f)/2).
func augmentAlpha(in *augmentInput, name string) float64 {
	if in.alphaValue > 0 {
		return in.alphaValue
	}
	nf := 0
	for _, r := range in.design.rows {
		if !isCenterRow(r) {
			nf++
		}
	}
	k := float64(len(in.design.names))
	switch name {
	case "face_centered":
		return 1
	case "orthogonal":
		total := float64(nf) + 2*k
		return math.Sqrt(k * (math.Sqrt(total) - math.Sqrt(float64(nf))) / 2)
	}
	if nf == 0 {
		return 0
	}
	return doeFourthRoot(float64(nf))
}

// augmentAxial adds the 2k axial points (+α, then −α, factor by factor)
// and, for upgrade_to_rsm, centre runs up to max(3, 5 − existing).
func augmentAxial(in *augmentInput, rsm bool) *augmentWork {
	d := in.design
	k := len(d.names)
	name := in.alphaName
	if !in.hasAlpha && rsm {
		name = "rotatable"
	}
	a := augmentAlpha(in, name)
	axial := doeZeroRows(2*k, k)
	for i := range k {
		axial[2*i][i] = a
		axial[2*i+1][i] = -a
	}
	w := &augmentWork{afterInt: allFloat(k), newInt: allFloat(k), explain: true, genAfter: in.generators}
	aText := pyfmt.Fixed(a, 4)
	if !rsm {
		w.newRows = axial
		w.notes = []string{
			"Added " + strconv.Itoa(2*k) + " axial (star) points with alpha = " + aText + ".",
			"The design now supports estimation of quadratic (second-order) effects.",
			"Consider adding center points if not already present.",
		}
	} else {
		existing := 0
		for _, r := range d.rows {
			if isCenterRow(r) {
				existing++
			}
		}
		target := max(3, 5-existing)
		add := max(0, target-existing)
		w.newRows = append(axial, doeZeroRows(add, k)...)
		w.notes = []string{
			"Upgraded to Central Composite Design (CCD) with alpha = " + aText + ".",
			"Added " + strconv.Itoa(2*k) + " axial points and " + strconv.Itoa(add) + " center point(s).",
			"The design now supports estimation of a full quadratic (second-order) model.",
		}
		if existing > 0 {
			w.notes = append(w.notes, "Existing "+strconv.Itoa(existing)+" center point(s) were preserved.")
		}
	}
	w.after = append(copyRows(d.rows), w.newRows...)
	w.extra = func(o *pydict.Dict) { o.Set("alpha", pyfmt.Float(a)) }
	return w
}

// augmentOptimalWork bounds the greedy search (candidates × steps × p²
// multiply–adds); a larger request is a tool_error rather than a timeout.
const augmentOptimalWork = 2e9

// augmentOptimal adds n runs one at a time from the 3^k grid (numpy's
// fullfact order, the first factor fastest) minus the existing runs, each
// time the candidate that maximises det(XᵀX) for the target model. When
// every candidate leaves XᵀX singular nothing more is added. Ties (equal
// determinants up to rounding, 1e-9 relative) go to the first candidate;
// the seed's choice among them followed its rounding.
func augmentOptimal(ctx context.Context, in *augmentInput) (*augmentWork, error) {
	d := in.design
	k := len(d.names)
	model := in.model
	if model == "" {
		model = "interactions"
	}
	// The model's columns: the intercept, k main effects, the k(k−1)/2
	// interactions, k squares.
	p := 1 + k
	if model != "main_effects" {
		p += k * (k - 1) / 2
	}
	if model == "quadratic" {
		p += k
	}
	nCand := 1
	for range k {
		nCand *= 3
	}
	steps := min(in.n, nCand)
	if work := float64(steps) * float64(nCand) * float64(p*p); work > augmentOptimalWork {
		return nil, tool.Errorf("add_runs_optimal would weigh %d candidate runs %d times for a %d-term model; "+
			"the limit is %.0e operations: use fewer factors, a smaller model or fewer runs", nCand, steps, p, augmentOptimalWork)
	}
	dsn, err := doeBuild(d.names, d.rows, doeModelRHS(d.names, model))
	if err != nil {
		return nil, err
	}
	if len(dsn.Columns) != p {
		return nil, tool.Errorf("the %s model has %d columns, not %d", model, len(dsn.Columns), p)
	}
	index := make(map[string]int, k)
	for i, n := range d.names {
		index[n] = i
	}
	// Existing runs, rounded to 8 decimals, are not candidates.
	key := func(x []float64) string {
		var b strings.Builder
		for _, v := range x {
			r := math.RoundToEven(v*1e8) / 1e8
			if r == 0 {
				r = 0
			}
			b.WriteString(strconv.FormatFloat(r, 'g', -1, 64))
			b.WriteByte(',')
		}
		return b.String()
	}
	existing := map[string]bool{}
	for _, r := range d.rows {
		existing[key(r)] = true
	}
	used := make([]bool, nCand)
	x := make([]float64, k)
	setCand := func(c int) {
		for i := range k {
			x[i] = float64(c%3) - 1
			c /= 3
		}
	}
	left := 0
	for c := range nCand {
		setCand(c)
		if existing[key(x)] {
			used[c] = true
		} else {
			left++
		}
	}
	if left == 0 {
		return nil, tool.Errorf("No candidate points available after filtering existing design points.")
	}
	m := doeXtX(dsn.X)
	f := make([]float64, p)
	af := make([]float64, p)
	var added [][]float64
	for range min(in.n, left) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		score, ok := greedyScorer(m)
		if !ok {
			break
		}
		best, bestVal := -1, math.Inf(-1)
		for c := range nCand {
			if used[c] {
				continue
			}
			setCand(c)
			doeTermRow(dsn, index, x, f)
			v, finite := score(f, af)
			if finite && (best < 0 || v > bestVal+1e-9*math.Max(1, math.Abs(bestVal))) {
				best, bestVal = c, v
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		setCand(best)
		doeTermRow(dsn, index, x, f)
		m.SymRankOne(m, 1, mat.NewVecDense(p, slices.Clone(f)))
		added = append(added, slices.Clone(x))
	}
	w := &augmentWork{explain: true, genAfter: in.generators}
	if added == nil {
		w.after, w.afterInt = copyRows(d.rows), d.isInt
	} else {
		w.after, w.afterInt = append(copyRows(d.rows), added...), allFloat(k)
		w.newRows, w.newInt = added, allFloat(k)
	}
	w.notes = []string{
		"Added " + strconv.Itoa(len(added)) + " D-optimal run(s) to maximize information for the " + model + " model.",
		"Existing runs were preserved; only new runs were optimized.",
	}
	return w, nil
}

// greedyScorer returns a function ranking candidate model rows f by
// log det(M + ffᵀ) up to a constant, and whether any candidate can make it
// non-singular. With M of full rank the score is log(1 + fᵀM⁻¹f); with rank
// p − 1 (null vector u) it is log (fᵀu)², finite only when f leaves u's
// null space; with a lower rank every trial is singular. Ranks follow
// numpy.linalg.matrix_rank's tolerance.
func greedyScorer(m *mat.SymDense) (func(f, buf []float64) (float64, bool), bool) {
	p := m.SymmetricDim()
	var eig mat.EigenSym
	if !eig.Factorize(m, true) {
		return nil, false
	}
	vals := eig.Values(nil)
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	tol := math.Max(math.Abs(vals[0]), math.Abs(vals[p-1])) * float64(p) * 2.220446049250313e-16
	rank := 0
	for _, v := range vals {
		if v > tol {
			rank++
		}
	}
	switch {
	case rank == p:
		inv := make([]float64, p*p)
		for i := range p {
			for j := range p {
				s := 0.0
				for t := range p {
					s += vecs.At(i, t) * vecs.At(j, t) / vals[t]
				}
				inv[i*p+j] = s
			}
		}
		return func(f, buf []float64) (float64, bool) {
			q := 0.0
			for i := range p {
				s := 0.0
				row := inv[i*p : i*p+p]
				for j, fj := range f {
					s += row[j] * fj
				}
				q += f[i] * s
			}
			return math.Log1p(q), true
		}, true
	case rank == p-1:
		// The null vector: the eigenvector of the smallest eigenvalue.
		u := make([]float64, p)
		for i := range p {
			u[i] = vecs.At(i, 0)
		}
		return func(f, buf []float64) (float64, bool) {
			dot, norm := 0.0, 0.0
			for i, fi := range f {
				dot += fi * u[i]
				norm += fi * fi
			}
			if dot*dot <= 1e-18*norm {
				return 0, false
			}
			return math.Log(dot * dot), true
		}, true
	}
	return nil, false
}

// augmentBlocks assigns 2^b ≥ n blocks (default 2) by the signs of the b
// highest-order interactions (order k down to 2, combinations order):
// block = 1 + Σ [column i > 0]·2^i. No runs are added and no metrics
// computed.
func augmentBlocks(in *augmentInput) (*augmentWork, error) {
	d := in.design
	k := len(d.names)
	n := in.n
	if n == 0 {
		n = 2
	}
	b := 0
	for 1<<b < n {
		b++
	}
	var combos [][]int
	for order := k; order > 1 && len(combos) < b; order-- {
		doeCombinations(k, order, func(idx []int) bool {
			combos = append(combos, slices.Clone(idx))
			return len(combos) < b
		})
	}
	if len(combos) < b {
		return nil, tool.Errorf("Cannot create %d blocks with %d factors. Need %d confounding columns but only found %d.",
			1<<b, k, b, len(combos))
	}
	words := make([]string, b)
	for i, c := range combos {
		var sb strings.Builder
		for _, j := range c {
			sb.WriteString(d.names[j])
		}
		words[i] = sb.String()
	}
	after := make([][]float64, len(d.rows))
	for r, row := range d.rows {
		block := 1
		for i, c := range combos {
			prod := 1.0
			for _, j := range c {
				prod *= row[j]
			}
			if prod > 0 {
				block += 1 << i
			}
		}
		after[r] = append(slices.Clone(row), float64(block))
	}
	joined := strings.Join(words, ", ")
	w := &augmentWork{
		after: after, afterInt: append(slices.Clone(d.isInt), true),
		notes: []string{
			"Assigned " + strconv.Itoa(1<<b) + " blocks by confounding with: " + joined + ".",
			"Block effect is aliased with the " + joined + " interaction(s).",
			"Block effects should be orthogonal to main effects and low-order interactions.",
		},
	}
	w.extra = func(o *pydict.Dict) {
		o.Set("n_blocks", 1<<b)
		o.Set("confounded_with", words)
	}
	return w, nil
}

// explainChanges is the seed's _explain_changes: the before and after
// metrics (d_efficiency and degrees_of_freedom, with alias_structure and
// resolution when there are generators; {} when they cannot be computed)
// and the narrative.
func explainChanges(ctx context.Context, d *doeRecords, after [][]float64, genBefore, genAfter []string, notes []string) (string, *pydict.Dict, *pydict.Dict) {
	eval := func(rows [][]float64, gens []string) *pydict.Dict {
		metrics := []string{"d_efficiency", "degrees_of_freedom"}
		if len(gens) > 0 {
			metrics = append(metrics, "alias_structure", "resolution")
		}
		in := &evaluateInput{design: &doeRecords{names: d.names, rows: rows}, metrics: metrics, model: "interactions", alpha: 0.05, generators: gens}
		o, err := evaluateMetrics(ctx, in)
		if err != nil {
			return &pydict.Dict{}
		}
		return o
	}
	before, afterM := eval(d.rows, genBefore), eval(after, genAfter)
	lines := []string{"Design grew from " + strconv.Itoa(len(d.rows)) + " to " + strconv.Itoa(len(after)) +
		" runs (+" + strconv.Itoa(len(after)-len(d.rows)) + " added)."}
	if db, ok := floatOf(before, "d_efficiency"); ok {
		if da, ok := floatOf(afterM, "d_efficiency"); ok {
			lines = append(lines, "D-efficiency: "+pyfmt.Fixed(db, 1)+"% -> "+pyfmt.Fixed(da, 1)+"%.")
		}
	}
	rb, okb := before.Get("resolution")
	ra, oka := afterM.Get("resolution")
	if ib, isb := rb.(int); okb && oka && isb {
		if ia, isa := ra.(int); isa {
			switch {
			case ia > ib:
				lines = append(lines, "Resolution improved from "+strconv.Itoa(ib)+" to "+strconv.Itoa(ia)+".")
			case ia == ib:
				lines = append(lines, "Resolution unchanged at "+strconv.Itoa(ib)+".")
			}
		}
	}
	if resB, ok := residualDOF(before); ok {
		if resA, ok := residualDOF(afterM); ok {
			lines = append(lines, "Residual degrees of freedom: "+strconv.Itoa(resB)+" -> "+strconv.Itoa(resA)+".")
		}
	}
	chainsB, _ := before.Get("alias_structure")
	chainsA, _ := afterM.Get("alias_structure")
	kept := map[string]bool{}
	if ca, ok := chainsA.([]string); ok {
		for _, c := range ca {
			kept[c] = true
		}
	}
	var removed []string
	if cb, ok := chainsB.([]string); ok {
		seen := map[string]bool{}
		for _, c := range cb {
			if !kept[c] && !seen[c] {
				seen[c] = true
				removed = append(removed, c)
			}
		}
	}
	slices.Sort(removed)
	if removed != nil {
		lines = append(lines, "De-aliased effects:")
		for _, c := range removed {
			effect, _, _ := strings.Cut(c, " = ")
			lines = append(lines, "  "+strings.TrimSpace(effect)+" is now independently estimable.")
		}
	}
	lines = append(lines, notes...)
	sep := "\n"
	if removed == nil && len(notes) == 0 {
		sep = " "
	}
	return joinLines(lines, sep), before, afterM
}

func floatOf(o *pydict.Dict, key string) (float64, bool) {
	v, ok := o.Get(key)
	if !ok {
		return 0, false
	}
	f, ok := v.(pyfmt.Float)
	return float64(f), ok
}

func residualDOF(o *pydict.Dict) (int, bool) {
	v, ok := o.Get("degrees_of_freedom")
	if !ok {
		return 0, false
	}
	dof, ok := v.(*pydict.Dict)
	if !ok {
		return 0, false
	}
	r, ok := dof.Get("residual")
	if !ok {
		return 0, false
	}
	i, ok := r.(int)
	return i, ok
}
