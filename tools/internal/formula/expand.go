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

type intermediate struct {
	intercept        bool
	interceptRemoved bool
	terms            []Term
}

type expander struct {
	ids   map[Factor]int // factor interning, for term identity keys
	limit int
}

func (e *expander) id(f Factor) int {
	if id, ok := e.ids[f]; ok {
		return id
	}
	id := len(e.ids)
	e.ids[f] = id
	return id
}

// key identifies a term by its set of factors.
func (e *expander) key(t Term) string {
	ids := make([]int, len(t))
	for i, f := range t {
		ids[i] = e.id(f)
	}
	// insertion sort: terms are short
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	b := make([]byte, 0, 3*len(ids))
	for _, id := range ids {
		b = utf8.AppendRune(b, rune(id+1)) // ids stay far below the surrogate range
	}
	return string(b)
}

// termList accumulates distinct terms in order and refuses to grow past the
// intermediate cap.
type termList struct {
	e     *expander
	seen  map[string]bool
	terms []Term
}

func (e *expander) newList() *termList { return &termList{e: e, seen: map[string]bool{}} }

func (l *termList) add(t Term) error {
	k := l.e.key(t)
	if l.seen[k] {
		return nil
	}
	if len(l.terms) >= l.e.limit {
		return errcode.New(errcode.InputTooLarge, "formula expands to more than %d terms", l.e.limit).
			With("key", "formula").With("limit", l.e.limit)
	}
	l.seen[k] = true
	l.terms = append(l.terms, t)
	return nil
}

func (e *expander) unique(lists ...[]Term) ([]Term, error) {
	l := e.newList()
	for _, ts := range lists {
		for _, t := range ts {
			if err := l.add(t); err != nil {
				return nil, err
			}
		}
	}
	return l.terms, nil
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
	l := e.newList()
	for _, t := range a.terms {
		for _, u := range b.terms {
			if err := l.add(product(t, u)); err != nil {
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
		return intermediate{terms: []Term{{n.factor}}}, nil
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
		var terms []Term
		for _, t := range left.terms {
			drop := false
			for _, u := range right.terms {
				if t.Same(u) {
					drop = true
					break
				}
			}
			if !drop {
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
			if big, err = e.interaction(n.pos, left, big); err != nil {
				return intermediate{}, err
			}
			if all, err = e.unique(all, big.terms); err != nil {
				return intermediate{}, err
			}
		}
		return intermediate{terms: all}, nil
	}
	return intermediate{}, invalid(n.pos, "unexpected operator at %d", n.pos)
}

// Parse parses and expands a formula: "y ~ A*B", "~ (A + B + C)**2",
// "A + I(A ** 2) - 1". A formula without "~" is a right-hand side. Errors
// are *errcode.Error values: input_too_large when the formula is longer than
// lim.MaxChars or expands to more than lim.MaxTerms terms (intercept
// included), input_invalid for anything else, with the byte offset of the
// problem in the message ("unexpected ':' at 7") and in Details["offset"].
// A nil lim means the defaults.
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
	e := &expander{ids: map[Factor]int{}, limit: max(intermediateTermCap, l.MaxTerms)}
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
	f.Terms = v.terms
	if n := f.NumTerms(); n > l.MaxTerms {
		return nil, errcode.New(errcode.InputTooLarge, "formula expands to %d terms (intercept included); the cap is %d", n, l.MaxTerms).
			With("key", "formula").With("limit", l.MaxTerms).With("observed", n)
	}
	return f, nil
}
