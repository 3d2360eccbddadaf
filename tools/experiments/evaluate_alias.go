package experiments

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/toolq/toolq/tools/internal/pydict"
)

// Alias metrics of evaluate_design: with generators, GF(2) arithmetic on
// the defining relation (the seed's library path, which its tool could not
// reach); without, correlations between the columns of the model with all
// interactions up to order three.

// aliasCorrelationThreshold is the seed's |r| above which two columns are
// aliased.
const aliasCorrelationThreshold = 0.995

// generatorWords is the defining relation of the generators over the design's
// factors.
func (e *evalCtx) generatorWords() []doeWord {
	return doeGeneratorRelation(e.generators, e.names)
}

// aliasChains is _compute_alias_structure's list of chains.
func (e *evalCtx) aliasChains() ([]string, error) {
	if e.chains != nil {
		return e.chains, nil
	}
	var err error
	if len(e.generators) > 0 {
		e.chains = e.aliasChainsFromGenerators()
	} else {
		e.chains, err = e.aliasChainsFromCorrelation()
	}
	return e.chains, err
}

// aliasChainsFromGenerators: for every main effect and two-factor
// interaction, the effect times each word of the defining relation, sorted
// by the length of the written alias and then alphabetically.
func (e *evalCtx) aliasChainsFromGenerators() []string {
	words := e.generatorWords()
	if len(words) == 0 {
		return []string{}
	}
	k := len(e.names)
	chain := func(effect doeWord) string {
		aliases := make([]string, len(words))
		for i, w := range words {
			aliases[i] = doeWordString(effect^w, e.names)
		}
		slices.SortFunc(aliases, func(a, b string) int {
			if d := pyLen(a) - pyLen(b); d != 0 {
				return d
			}
			return strings.Compare(a, b)
		})
		return doeWordString(effect, e.names) + " = " + strings.Join(aliases, " + ")
	}
	var out []string
	for i := range k {
		out = append(out, chain(1<<i))
	}
	doeCombinations(k, 2, func(idx []int) bool {
		out = append(out, chain(1<<idx[0]|1<<idx[1]))
		return true
	})
	return out
}

// pyLen is len() of a Python str: code points.
func pyLen(s string) int { return len([]rune(s)) }

// aliasChainsFromCorrelation: the model (factors) ** min(k, 3) (** 2 for
// fewer than three factors); for each non-constant column (population
// standard deviation above √ε) other than the intercept, the other such
// columns whose Pearson correlation with it exceeds 0.995 in absolute value,
// written "{col} = +{other} + -{other}…".
func (e *evalCtx) aliasChainsFromCorrelation() ([]string, error) {
	if e.p <= 1 {
		return []string{}, nil
	}
	order := max(min(len(e.names), 3), 2)
	d, err := doeBuild(e.names, e.rows, doeOrderRHS(e.names, order))
	if err != nil {
		return nil, err
	}
	x := d.X
	n, p := x.Dims()
	// Centred columns, population standard deviations.
	c := mat.NewDense(n, p, nil)
	nonzero := make([]bool, p)
	for j := range p {
		mean := 0.0
		for i := range n {
			mean += x.At(i, j)
		}
		mean /= float64(n)
		ss := 0.0
		for i := range n {
			v := x.At(i, j) - mean
			c.Set(i, j, v)
			ss += v * v
		}
		nonzero[j] = math.Sqrt(ss/float64(n)) > math.Sqrt(2.220446049250313e-16)
	}
	// numpy.corrcoef: the covariance over the product of the standard
	// deviations (both with N − 1), clipped to [−1, 1].
	var gram mat.Dense
	gram.Mul(c.T(), c)
	corr := func(i, j int) float64 {
		den := float64(n - 1)
		r := gram.At(i, j) / den / math.Sqrt(gram.At(i, i)/den) / math.Sqrt(gram.At(j, j)/den)
		return math.Max(-1, math.Min(1, r))
	}
	var out []string
	for i := range p {
		if isInterceptName(d.Columns[i]) || !nonzero[i] {
			continue
		}
		var parts []string
		for j := range p {
			if j == i || !nonzero[j] || isInterceptName(d.Columns[j]) {
				continue
			}
			if r := corr(i, j); math.Abs(r) > aliasCorrelationThreshold {
				sign := "-"
				if r > 0 {
					sign = "+"
				}
				parts = append(parts, sign+d.Columns[j])
			}
		}
		if len(parts) > 0 {
			out = append(out, d.Columns[i]+" = "+strings.Join(parts, " + "))
		}
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

func metricAliasStructure(e *evalCtx) (*pydict.Dict, error) {
	chains, err := e.aliasChains()
	if err != nil {
		return nil, err
	}
	o := &pydict.Dict{}
	o.Set("alias_structure", chains)
	return o, nil
}

// splitChain parses "effect = a + b" into the effect and its aliases with
// their signs stripped.
func splitChain(chain string) (effect string, aliases []string, ok bool) {
	effect, rest, ok := strings.Cut(chain, " = ")
	if !ok {
		return "", nil, false
	}
	for _, a := range strings.Split(strings.TrimSpace(rest), " + ") {
		aliases = append(aliases, strings.TrimLeft(strings.TrimSpace(a), "+-"))
	}
	return strings.TrimSpace(effect), aliases, true
}

func metricConfounding(e *evalCtx) (*pydict.Dict, error) {
	chains, err := e.aliasChains()
	if err != nil {
		return nil, err
	}
	o := &pydict.Dict{}
	if len(chains) == 0 {
		o.Set("confounding", []any{})
		o.Set("note", "No confounding detected.")
		return o, nil
	}
	list := []*pydict.Dict{}
	for _, ch := range chains {
		effect, aliases, ok := splitChain(ch)
		if !ok {
			continue
		}
		item := &pydict.Dict{}
		item.Set("effect", effect)
		item.Set("confounded_with", aliases)
		list = append(list, item)
	}
	o.Set("confounding", list)
	return o, nil
}

func metricResolution(e *evalCtx) *pydict.Dict {
	o := &pydict.Dict{}
	if len(e.generators) == 0 {
		o.Set("resolution", nil)
		o.Set("roman", nil)
		o.Set("note", "Not a fractional factorial design.")
		return o
	}
	words := e.generatorWords()
	if len(words) == 0 {
		o.Set("resolution", nil)
		o.Set("roman", nil)
		o.Set("note", "No defining relation words found.")
		return o
	}
	r := doeMinWordLength(words)
	o.Set("resolution", r)
	o.Set("roman", doeRoman(r))
	return o
}

func metricDefiningRelation(e *evalCtx) *pydict.Dict {
	o := &pydict.Dict{}
	if len(e.generators) == 0 {
		o.Set("defining_relation", nil)
		o.Set("note", "No generators available. Not a fractional factorial design.")
		return o
	}
	words := e.generatorWords()
	rel := make([]string, len(words))
	for i, w := range words {
		rel[i] = "I=" + doeWordString(w, e.names)
	}
	o.Set("defining_relation", rel)
	return o
}

// effectOrder is the seed's _effect_order: 1 + the number of ':' when there
// is one, 1 for a factor name, else the length of the name (which counts
// letters of single-letter factor names).
func (e *evalCtx) effectOrder(term string) int {
	if strings.Contains(term, ":") {
		return strings.Count(term, ":") + 1
	}
	if slices.Contains(e.names, term) {
		return 1
	}
	return pyLen(term)
}

func metricClearEffects(e *evalCtx) (*pydict.Dict, error) {
	chains, err := e.aliasChains()
	if err != nil {
		return nil, err
	}
	mains, twos := []string{}, []string{}
	for _, ch := range chains {
		effect, aliases, ok := splitChain(ch)
		if !ok {
			continue
		}
		order := e.effectOrder(effect)
		higher := true
		for _, a := range aliases {
			if e.effectOrder(a) <= order {
				higher = false
				break
			}
		}
		switch {
		case higher && order == 1:
			mains = append(mains, effect)
		case higher && order == 2:
			twos = append(twos, effect)
		}
	}
	clear := &pydict.Dict{}
	clear.Set("main_effects", mains)
	clear.Set("two_factor_interactions", twos)
	o := &pydict.Dict{}
	o.Set("clear_effects", clear)
	return o, nil
}

func metricMinimumAberration(e *evalCtx) *pydict.Dict {
	ma := &pydict.Dict{}
	var words []doeWord
	if len(e.generators) > 0 {
		words = e.generatorWords()
	}
	switch {
	case len(e.generators) == 0:
		ma.Set("wordlength_pattern", []int{})
		ma.Set("note", "Not a fractional factorial design.")
	case len(words) == 0:
		ma.Set("wordlength_pattern", []int{})
		ma.Set("note", "No defining relation words found.")
	default:
		maxLen := 0
		for _, w := range words {
			maxLen = max(maxLen, w.size())
		}
		pattern, labels := []int{}, []string{}
		for l := 3; l <= maxLen; l++ {
			c := 0
			for _, w := range words {
				if w.size() == l {
					c++
				}
			}
			pattern = append(pattern, c)
			labels = append(labels, "A_"+strconv.Itoa(l))
		}
		ma.Set("wordlength_pattern", pattern)
		ma.Set("wordlength_pattern_labels", labels)
	}
	o := &pydict.Dict{}
	o.Set("minimum_aberration", ma)
	return o
}
