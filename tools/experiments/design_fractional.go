package experiments

import (
	"fmt"
	"strings"
)

// A two-level fractional factorial 2^(k−p): the base factors run through a
// full factorial (ff2n order) and each generated factor is ± the product of
// some base factors.
type fractionalPlan struct {
	k     int
	base  []int // factor indices of the base factors, in factor order
	gen   []int // factor indices of the generated factors
	words []doeWord
	neg   []bool // generated factor g is −(product of words[g])
}

// matrix returns the design's rows: ff2n over the base factors, each
// generated column the (signed) product of its base columns.
func (p fractionalPlan) matrix() doeMatrix {
	h := ff2n(len(p.base))
	m := make(doeMatrix, len(h))
	for r, b := range h {
		row := make([]float64, p.k)
		for i, f := range p.base {
			row[f] = b[i]
		}
		for g, f := range p.gen {
			v := 1.0
			for _, i := range p.words[g].indices() {
				v *= row[i]
			}
			if p.neg[g] {
				v = -v
			}
			row[f] = v
		}
		m[r] = row
	}
	return m
}

// definingWords returns the generator words of the defining relation: each
// generated factor times its product.
func (p fractionalPlan) definingWords() []doeWord {
	ws := make([]doeWord, len(p.gen))
	for g, f := range p.gen {
		ws[g] = p.words[g] | 1<<f
	}
	return ws
}

// resolution is the shortest word of the defining relation, 0 for a full
// factorial (no generators).
func (p fractionalPlan) resolution() int {
	return doeMinWordLength(doeDefiningRelation(p.definingWords()))
}

// generatorStrings writes the generators as "D=ABC" (or "D=-ABC") with the
// factor names concatenated, the notation evaluate_design and augment_design
// read back.
func (p fractionalPlan) generatorStrings(names []string) []string {
	out := make([]string, len(p.gen))
	for g, f := range p.gen {
		sign := ""
		if p.neg[g] {
			sign = "-"
		}
		out[g] = names[f] + "=" + sign + doeWordString(p.words[g], names)
	}
	return out
}

// definingRelationStrings writes the full defining relation as "I=ABCD",
// with a minus sign where the product of the words' signs is negative.
func (p fractionalPlan) definingRelationStrings(names []string) []string {
	base := p.definingWords()
	signOf := map[doeWord]bool{0: false}
	group := []doeWord{0}
	for g, b := range base {
		n := len(group)
		for i := range n {
			w := group[i] ^ b
			if _, ok := signOf[w]; !ok {
				signOf[w] = signOf[group[i]] != p.neg[g]
				group = append(group, w)
			}
		}
	}
	ws := doeDefiningRelation(base)
	out := make([]string, len(ws))
	for i, w := range ws {
		sign := ""
		if signOf[w] {
			sign = "-"
		}
		out[i] = "I=" + sign + doeWordString(w, names)
	}
	return out
}

// firstFactorsPlan is the plan whose base factors are the first b factors
// and whose generated factors follow in order, with words over the base.
func firstFactorsPlan(k, b int, gens []doeWord) fractionalPlan {
	p := fractionalPlan{k: k, words: gens, neg: make([]bool, len(gens))}
	for i := range b {
		p.base = append(p.base, i)
	}
	for g := range gens {
		p.gen = append(p.gen, b+g)
	}
	return p
}

// fracSearchBudget bounds the word checks of the search at one number of
// base factors; past it the search moves on to the next (twice as many
// runs), so the result stays deterministic.
const fracSearchBudget = 2_000_000

// fractionalByResolution returns a 2^(k−p) design of resolution at least
// res (res ≥ 3). It is pyDOE3's fracfact_by_res(k, res) when that design
// exists and attains the resolution, so the rows are the seed's. Otherwise
// (pyDOE3 raises "design not possible" for every res ≥ k, the seed's
// default for k ≤ 5; and its column choice can fall short of res, as for 7
// or 8 factors at resolution V) it searches for the fewest base factors b
// whose generators, chosen in pyDOE3's order (subsets of the base factors
// by size, then lexicographically), give every word of the defining
// relation at least res letters. When no fraction is found the full
// factorial (no generators) is returned.
func fractionalByResolution(k, res int) fractionalPlan {
	if b, masks, ok := pydoeFracfactByRes(k, res); ok {
		gens := make([]doeWord, len(masks))
		for i, m := range masks {
			gens[i] = doeWord(m)
		}
		p := firstFactorsPlan(k, b, gens)
		if p.resolution() >= res {
			return p
		}
	}
	for b := fracLowerBound(k, res); b < k; b++ {
		if gens, ok := searchGenerators(k, b, res); ok {
			return firstFactorsPlan(k, b, gens)
		}
	}
	return firstFactorsPlan(k, k, nil)
}

// fracLowerBound is the fewest base factors a resolution-res design in k
// factors can have: 2^b runs must at least hold the mean and the main
// effects (resolution III), twice the main effects (IV), or the main
// effects and two-factor interactions (V and up) — Rao's bounds.
func fracLowerBound(k, res int) int {
	need := k + 1
	switch {
	case res == 4:
		need = 2 * k
	case res >= 5:
		need = 1 + k + k*(k-1)/2
	}
	b := 1
	for 1<<b < need {
		b++
	}
	return b
}

// searchGenerators looks for k−b generator words over b base factors by
// depth-first search, trying candidates in pyDOE3's order.
func searchGenerators(k, b, res int) ([]doeWord, bool) {
	need := k - b
	minSize := max(2, res-1)
	var cands []doeWord
	for r := minSize; r <= b; r++ {
		doeCombinations(b, r, func(idx []int) bool {
			var w doeWord
			for _, i := range idx {
				w |= 1 << i
			}
			cands = append(cands, w)
			return true
		})
	}
	if len(cands) < need {
		return nil, false
	}
	budget := fracSearchBudget
	chosen := make([]doeWord, 0, need)
	group := make([]doeWord, 1, 1<<need)
	var dfs func(start int) bool
	dfs = func(start int) bool {
		depth := len(chosen)
		if depth == need {
			return true
		}
		gen := doeWord(1) << (b + depth)
		for c := start; c <= len(cands)-(need-depth); c++ {
			w := cands[c] | gen
			ok := true
			for _, g := range group {
				budget--
				if (g ^ w).size() < res {
					ok = false
					break
				}
			}
			if budget < 0 {
				return false
			}
			if !ok {
				continue
			}
			n := len(group)
			for i := range n {
				group = append(group, group[i]^w)
			}
			chosen = append(chosen, cands[c])
			if dfs(c + 1) {
				return true
			}
			chosen = chosen[:depth]
			group = group[:n]
			if budget < 0 {
				return false
			}
		}
		return false
	}
	if !dfs(0) {
		return nil, false
	}
	return chosen, true
}

// doeParseGenerators reads generators such as "D=ABC" or "E=-AC" for the named
// factors: the left side is one factor (generated), the right side an
// optional sign and a product of at least two base factors, matched
// greedily by name (longest first). Every factor not on a left side is a
// base factor.
func doeParseGenerators(gens []string, names []string) (fractionalPlan, error) {
	k := len(names)
	index := make(map[string]int, k)
	for i, n := range names {
		index[n] = i
	}
	p := fractionalPlan{k: k}
	isGen := make([]bool, k)
	lhs := make([]int, len(gens))
	for g, s := range gens {
		l, _, ok := strings.Cut(s, "=")
		if !ok {
			return p, fmt.Errorf("generator %q has no '='", s)
		}
		f, ok := index[strings.TrimSpace(l)]
		if !ok {
			return p, fmt.Errorf("generator %q: %q is not a factor name", s, strings.TrimSpace(l))
		}
		if isGen[f] {
			return p, fmt.Errorf("factor %q is generated twice", names[f])
		}
		isGen[f] = true
		lhs[g] = f
	}
	for i := range k {
		if !isGen[i] {
			p.base = append(p.base, i)
		}
	}
	if len(p.base) == 0 {
		return p, fmt.Errorf("generators leave no base factor")
	}
	seen := map[doeWord]bool{}
	for g, s := range gens {
		_, r, _ := strings.Cut(s, "=")
		r = strings.TrimSpace(r)
		neg := false
		if strings.HasPrefix(r, "-") || strings.HasPrefix(r, "+") {
			neg = r[0] == '-'
			r = strings.TrimSpace(r[1:])
		}
		w, err := doeParseProduct(r, names, index)
		if err != nil {
			return p, fmt.Errorf("generator %q: %v", s, err)
		}
		for _, i := range w.indices() {
			if isGen[i] {
				return p, fmt.Errorf("generator %q uses the generated factor %q", s, names[i])
			}
		}
		if w.size() < 2 {
			return p, fmt.Errorf("generator %q must be a product of at least two base factors", s)
		}
		if seen[w] {
			return p, fmt.Errorf("generator %q repeats another generator's product", s)
		}
		seen[w] = true
		p.gen = append(p.gen, lhs[g])
		p.words = append(p.words, w)
		p.neg = append(p.neg, neg)
	}
	return p, nil
}

// doeParseProduct reads a concatenation of factor names, longest name first at
// each position; anything that is not a factor name is an error.
func doeParseProduct(s string, names []string, index map[string]int) (doeWord, error) {
	if s == "" {
		return 0, fmt.Errorf("empty product")
	}
	var w doeWord
	for s != "" {
		best := ""
		for _, n := range names {
			if len(n) > len(best) && strings.HasPrefix(s, n) {
				best = n
			}
		}
		if best == "" {
			return 0, fmt.Errorf("%q does not start with a factor name", s)
		}
		i := index[best]
		if w>>i&1 == 1 {
			return 0, fmt.Errorf("factor %q appears twice", best)
		}
		w |= 1 << i
		s = s[len(best):]
	}
	return w, nil
}
