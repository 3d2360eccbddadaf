package formula

import (
	"unicode/utf8"

	"github.com/toolq/toolq/errcode"
)

// Term expansion: a port of patsy's desc.py Evaluator (patsy 0.5.3, the
// version behind the seed's observed values). Each sub-expression evaluates
// to an intermediate value: a list of terms plus three intercept flags.
//
//   - A term list never holds the same term twice: a term equal (as a set of
//     factors) to an earlier one is dropped, so the first spelling wins
//     (A:B + B:A is A:B).
//   - a + b: the terms of a, then those of b. "+ 0" removes the intercept;
//     "+ 1" (or a b that carries an intercept) adds it back.
//   - a - b: the terms of a without those of b. "- 1" removes the
//     intercept, "- 0" adds it; a b that carries an intercept removes it.
//   - a : b: every term of a times every term of b, in that nested order
//     (a's term outer); the product of two terms has the factors of the
//     first followed by the new factors of the second.
//   - a * b: a + b + a:b.
//   - a ** n (or a ^ n): a, then a:a, then a:a:a … n − 1 times (each time
//     a times the previous product), capped at as many rounds as a has
//     terms; n must be a positive whole number.
//   - An intercept cannot be interacted (1:A, (A + 1)*B are errors); unary
//     minus applies only to 0 and 1; numbers other than 0 and 1 appear only
//     after **.
//   - The right-hand side gets an intercept unless it was removed.
//
// The result is patsy's ModelDesc.rhs_termlist order; the model matrix may
// reorder terms (see Design).

// Expansion work is bounded twice: no term list may grow past
// intermediateTermCap, and all the products formed while expanding one
// formula (pairs of terms multiplied by ':', '*' and '**') may not exceed
// productBudget. A formula whose result fits the term cap needs far fewer;
// without the budget, a 4,096-character formula could ask for billions.
const productBudget = 250_000

// iterm is a term during expansion: its factors in written order, and the
// sorted ids of its factors, which identify it as a set.
type iterm struct {
	t   Term
	ids []int32
}

type intermediate struct {
	intercept        bool
	interceptRemoved bool
	terms            []iterm
}

type expander struct {
	ids      map[Factor]int32 // factor interning
	limit    int
	products int
}

func (e *expander) id(f Factor) int32 {
	if id, ok := e.ids[f]; ok {
		return id
	}
	id := int32(len(e.ids))
	e.ids[f] = id
	return id
}

func key(ids []int32) string { return string(appendKey(nil, ids)) }

func appendKey(b []byte, ids []int32) []byte {
	for _, id := range ids {
		b = append(b, byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
	}
	return b
}

// union merges two sorted id lists without duplicates into out[:0].
func union(out, a, b []int32) []int32 {
	out = out[:0]
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// termList accumulates distinct terms in order and refuses to grow past the
// intermediate cap.
type termList struct {
	e     *expander
	seen  map[string]bool
	terms []iterm
}

func (e *expander) newList() *termList { return &termList{e: e, seen: map[string]bool{}} }

// add appends a term with the factor ids ids (k is their key) unless a
// term with the same factors is already there; build makes the ordered
// factor list only for a new term. ids and k may be scratch buffers: add
// copies what it keeps.
func (l *termList) add(ids []int32, k []byte, build func() Term) error {
	if l.seen[string(k)] { // no allocation for the lookup
		return nil
	}
	if len(l.terms) >= l.e.limit {
		return errcode.New(errcode.InputTooLarge, "formula expands to more than %d terms", l.e.limit).
			With("key", "formula").With("limit", l.e.limit)
	}
	l.seen[string(k)] = true
	l.terms = append(l.terms, iterm{t: build(), ids: append([]int32(nil), ids...)})
	return nil
}

func (e *expander) unique(lists ...[]iterm) ([]iterm, error) {
	l := e.newList()
	for _, ts := range lists {
		for _, t := range ts {
			t := t
			if err := l.add(t.ids, appendKey(nil, t.ids), func() Term { return t.t }); err != nil {
				return nil, err
			}
		}
	}
	return l.terms, nil
}

func sameSet(a, b []iterm) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make(map[string]bool, len(a))
	for _, t := range a {
		keys[key(t.ids)] = true
	}
	for _, t := range b {
		if !keys[key(t.ids)] {
			return false
		}
	}
	return true
}

// product returns the term with t's factors followed by u's factors that t
// lacks.
func product(t, u Term) Term {
	out := make(Term, len(t), len(t)+len(u))
	copy(out, t)
	for _, f := range u {
		if !out.Has(f) {
			out = append(out, f)
		}
	}
	return out
}

func (e *expander) interaction(pos int, a, b intermediate) (intermediate, error) {
	for _, x := range []intermediate{a, b} {
		if x.intercept {
			return intermediate{}, invalid(pos, "the intercept cannot interact with anything else (at %d)", pos)
		}
	}
	e.products += len(a.terms) * len(b.terms)
	if e.products > productBudget {
		return intermediate{}, errcode.New(errcode.InputTooLarge, "formula is too large to expand: it forms more than %d products of terms", productBudget).
			With("key", "formula").With("limit", productBudget)
	}
	l := e.newList()
	var ids []int32
	var k []byte
	for _, t := range a.terms {
		for _, u := range b.terms {
			t, u := t, u
			ids = union(ids, t.ids, u.ids)
			k = appendKey(k[:0], ids)
			if err := l.add(ids, k, func() Term { return product(t.t, u.t) }); err != nil {
				return intermediate{}, err
			}
		}
	}
	return intermediate{terms: l.terms}, nil
}

func (e *expander) eval(n *node) (intermediate, error) {
	switch n.kind {
	case nTilde:
		return intermediate{}, invalid(n.pos, "'~' at %d: a formula has one '~', at its top level", n.pos)
	case nZero:
		return intermediate{interceptRemoved: true}, nil
	case nOne:
		return intermediate{intercept: true}, nil
	case nNumber:
		return intermediate{}, invalid(n.pos, "number at %d: numbers other than 0 and 1 may only follow '**'", n.pos)
	case nFactor:
		return intermediate{terms: []iterm{{t: Term{n.factor}, ids: []int32{e.id(n.factor)}}}}, nil
	case nUnary:
		if n.op == tPlus {
			return e.eval(n.args[0])
		}
		switch n.args[0].kind {
		case nZero:
			return intermediate{intercept: true}, nil
		case nOne:
			return intermediate{interceptRemoved: true}, nil
		}
		return intermediate{}, invalid(n.pos, "'-' at %d: unary minus applies only to 0 and 1 (write -1 to remove the intercept)", n.pos)
	}
	// nBinary
	left, err := e.eval(n.args[0])
	if err != nil {
		return intermediate{}, err
	}
	rn := n.args[1]
	switch n.op {
	case tPlus:
		if rn.kind == nZero {
			return intermediate{interceptRemoved: true, terms: left.terms}, nil
		}
		right, err := e.eval(rn)
		if err != nil {
			return intermediate{}, err
		}
		terms, err := e.unique(left.terms, right.terms)
		if err != nil {
			return intermediate{}, err
		}
		if right.intercept {
			return intermediate{intercept: true, terms: terms}, nil
		}
		return intermediate{intercept: left.intercept, interceptRemoved: left.interceptRemoved, terms: terms}, nil
	case tMinus:
		switch rn.kind {
		case nZero:
			return intermediate{intercept: true, terms: left.terms}, nil
		case nOne:
			return intermediate{interceptRemoved: true, terms: left.terms}, nil
		}
		right, err := e.eval(rn)
		if err != nil {
			return intermediate{}, err
		}
		remove := make(map[string]bool, len(right.terms))
		for _, u := range right.terms {
			remove[key(u.ids)] = true
		}
		var terms []iterm
		for _, t := range left.terms {
			if !remove[key(t.ids)] {
				terms = append(terms, t)
			}
		}
		if right.intercept {
			return intermediate{interceptRemoved: true, terms: terms}, nil
		}
		return intermediate{intercept: left.intercept, interceptRemoved: left.interceptRemoved, terms: terms}, nil
	case tStar:
		right, err := e.eval(rn)
		if err != nil {
			return intermediate{}, err
		}
		both, err := e.interaction(n.pos, left, right)
		if err != nil {
			return intermediate{}, err
		}
		terms, err := e.unique(left.terms, right.terms, both.terms)
		if err != nil {
			return intermediate{}, err
		}
		return intermediate{terms: terms}, nil
	case tColon:
		right, err := e.eval(rn)
		if err != nil {
			return intermediate{}, err
		}
		return e.interaction(n.pos, left, right)
	case tPow:
		if left.intercept {
			return intermediate{}, invalid(n.pos, "the intercept cannot interact with anything else (at %d)", n.pos)
		}
		power := -1
		if rn.kind == nOne || rn.kind == nNumber {
			power = rn.number
		}
		if power < 1 {
			return intermediate{}, invalid(n.pos, "'**' at %d requires a positive whole number after it", n.pos)
		}
		power = min(power, len(left.terms))
		all := left.terms
		big := left
		for i := 1; i < power; i++ {
			next, err := e.interaction(n.pos, left, big)
			if err != nil {
				return intermediate{}, err
			}
			if all, err = e.unique(all, next.terms); err != nil {
				return intermediate{}, err
			}
			if sameSet(next.terms, big.terms) {
				// A fixed point: every further round forms the same set of
				// terms and adds nothing, so stop (patsy would go on).
				break
			}
			big = next
		}
		return intermediate{terms: all}, nil
	}
	return intermediate{}, invalid(n.pos, "unexpected operator at %d", n.pos)
}

// Parse parses and expands a formula: "y ~ A*B", "~ (A + B + C)**2",
// "A + I(A ** 2) - 1". A formula without "~" is a right-hand side. Errors
// are *errcode.Error values: input_too_large when the formula is longer than
// lim.MaxChars or expands to more than lim.MaxTerms terms (intercept
// included), or when expanding it would hold more than 1,000 terms at some
// step or form more than 250,000 products of terms (bounds that keep Parse
// fast on any input); input_invalid for anything else, with the byte offset
// of the problem in the message ("unexpected ':' at 7") and in
// Details["offset"]. A nil lim means the defaults.
//
// The left-hand side, when present, must be a single column name (or
// Q("name")). Every formula Parse accepts can be built from data that has
// its columns.
func Parse(src string, lim *Limits) (*Formula, error) {
	l := lim.withDefaults()
	if n := utf8.RuneCountInString(src); n > l.MaxChars {
		return nil, errcode.New(errcode.InputTooLarge, "formula has %d characters; the cap is %d", n, l.MaxChars).
			With("key", "formula").With("limit", l.MaxChars).With("observed", n)
	}
	if !utf8.ValidString(src) {
		return nil, errcode.New(errcode.InputInvalid, "formula is not valid UTF-8").With("key", "formula")
	}
	root, err := parseTree(src)
	if err != nil {
		return nil, err
	}
	e := &expander{ids: map[Factor]int32{}, limit: max(intermediateTermCap, l.MaxTerms)}
	f := &Formula{}
	rhs := root.args[0]
	if len(root.args) == 2 {
		lhs := root.args[0]
		rhs = root.args[1]
		if lhs.kind == nTilde {
			return nil, invalid(lhs.pos, "'~' at %d: a formula has one '~', at its top level", lhs.pos)
		}
		if lhs.kind != nFactor || lhs.factor.Kind != Variable {
			return nil, invalid(lhs.pos, "the left-hand side (at %d) must be a single response column", lhs.pos)
		}
		f.Response = lhs.factor.Var
	}
	v, err := e.eval(rhs)
	if err != nil {
		return nil, err
	}
	f.Intercept = !v.interceptRemoved
	f.Terms = make([]Term, len(v.terms))
	for i, t := range v.terms {
		f.Terms[i] = t.t
	}
	if n := f.NumTerms(); n > l.MaxTerms {
		return nil, errcode.New(errcode.InputTooLarge, "formula expands to %d terms (intercept included); the cap is %d", n, l.MaxTerms).
			With("key", "formula").With("limit", l.MaxTerms).With("observed", n)
	}
	return f, nil
}
