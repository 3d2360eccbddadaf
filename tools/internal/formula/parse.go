package formula

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lexer and parser. Nothing here evaluates code: the grammar has names,
// integers, the operators ~ + - * : ** ^, parentheses, and three fixed
// forms, I(name ** k), C(name) and Q("column name"). Everything else is a
// syntax error that names the byte offset where it was found.
//
// Operators and their binding, as patsy's parse_formula has them (higher
// binds tighter; every binary operator groups left to right):
//
//	~  binary and unary  -100
//	+ -  binary          100
//	+ -  unary           100
//	*                    200
//	:                    300
//	** (and ^)           500

type tokKind uint8

const (
	tEOF tokKind = iota
	tTilde
	tPlus
	tMinus
	tStar
	tColon
	tPow // ** or ^
	tLParen
	tRParen
	tNumber
	tName
	tString
)

type token struct {
	kind tokKind
	pos  int    // byte offset of the first character
	text string // the source text (the decoded value for a string)
}

// describe names a token in an error message.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of formula"
	case tString:
		return "string"
	}
	return "'" + t.text + "'"
}

// singleChar maps the one-character tokens; every other byte maps to tEOF.
var singleChar = [256]tokKind{'~': tTilde, '+': tPlus, '-': tMinus, ':': tColon, '^': tPow, '(': tLParen, ')': tRParen}

type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			l.pos++
			continue
		}
		break
	}
	start := l.pos
	if start >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := l.src[start]
	if k := singleChar[c]; k != tEOF {
		l.pos++
		return token{kind: k, pos: start, text: string(c)}, nil
	}
	switch {
	case c == '*':
		if strings.HasPrefix(l.src[start:], "**") {
			l.pos += 2
			return token{kind: tPow, pos: start, text: "**"}, nil
		}
		l.pos++
		return token{kind: tStar, pos: start, text: "*"}, nil
	case c >= '0' && c <= '9':
		end := start
		for end < len(l.src) && l.src[end] >= '0' && l.src[end] <= '9' {
			end++
		}
		if end < len(l.src) {
			if r, _ := utf8.DecodeRuneInString(l.src[end:]); r == '.' || isIdentPart(r) {
				return token{}, invalid(start, "invalid number at %d: only whole numbers are allowed", start)
			}
		}
		text := l.src[start:end]
		if len(text) > 1 && text[0] == '0' {
			return token{}, invalid(start, "invalid number %q at %d: leading zeros are not allowed", text, start)
		}
		l.pos = end
		return token{kind: tNumber, pos: start, text: text}, nil
	case c == '"' || c == '\'':
		return l.str(start, c)
	}
	r, size := utf8.DecodeRuneInString(l.src[start:])
	if r == utf8.RuneError && size <= 1 {
		return token{}, invalid(start, "invalid UTF-8 at %d", start)
	}
	if !isIdentStart(r) {
		return token{}, invalid(start, "unexpected %s at %d", strconv.QuoteRune(r), start)
	}
	end := start + size
	for end < len(l.src) {
		r, size := utf8.DecodeRuneInString(l.src[end:])
		if r == utf8.RuneError && size <= 1 || !isIdentPart(r) {
			break
		}
		end += size
	}
	l.pos = end
	return token{kind: tName, pos: start, text: l.src[start:end]}, nil
}

// str reads a quoted string: any characters up to the matching quote, with
// the escapes \\ \" \' \n \r \t and \uXXXX.
func (l *lexer) str(start int, quote byte) (token, error) {
	var b strings.Builder
	i := start + 1
	for {
		if i >= len(l.src) {
			return token{}, invalid(start, "unterminated string at %d", start)
		}
		c := l.src[i]
		switch {
		case c == quote:
			l.pos = i + 1
			return token{kind: tString, pos: start, text: b.String()}, nil
		case c == '\\':
			if i+1 >= len(l.src) {
				return token{}, invalid(start, "unterminated string at %d", start)
			}
			switch e := l.src[i+1]; e {
			case '\\', '"', '\'':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if i+6 > len(l.src) {
					return token{}, invalid(i, "invalid escape at %d", i)
				}
				v, err := strconv.ParseUint(l.src[i+2:i+6], 16, 32)
				if err != nil || !utf8.ValidRune(rune(v)) {
					return token{}, invalid(i, "invalid escape at %d", i)
				}
				b.WriteRune(rune(v))
				i += 4
			default:
				return token{}, invalid(i, "invalid escape at %d", i)
			}
			i += 2
		default:
			r, size := utf8.DecodeRuneInString(l.src[i:])
			if r == utf8.RuneError && size <= 1 {
				return token{}, invalid(i, "invalid UTF-8 at %d", i)
			}
			b.WriteString(l.src[i : i+size])
			i += size
		}
	}
}

// Syntax tree.

type nodeKind uint8

const (
	nTilde  nodeKind = iota // args: [rhs] or [lhs, rhs]
	nBinary                 // op in tok; args: [left, right]
	nUnary                  // op in tok; args: [operand]
	nZero
	nOne
	nNumber
	nFactor
)

type node struct {
	kind   nodeKind
	op     tokKind
	pos    int
	args   []*node
	factor Factor // nFactor
	number int    // nNumber, nZero, nOne; math.MaxInt when too large for an int
}

// Binding powers (patsy's precedences).
const (
	precTilde = -100
	precPlus  = 100
	precStar  = 200
	precColon = 300
	precPow   = 500
	precLow   = -1000
)

func binaryPrec(k tokKind) (int, bool) {
	switch k {
	case tTilde:
		return precTilde, true
	case tPlus, tMinus:
		return precPlus, true
	case tStar:
		return precStar, true
	case tColon:
		return precColon, true
	case tPow:
		return precPow, true
	}
	return 0, false
}

type parser struct {
	lex lexer
	tok token // the current, not yet consumed token
	err error
}

func (p *parser) advance() {
	if p.err != nil {
		return
	}
	p.tok, p.err = p.lex.next()
	if p.err != nil {
		p.tok = token{kind: tEOF, pos: len(p.lex.src)}
	}
}

func (p *parser) fail(err error) *node {
	if p.err == nil {
		p.err = err
	}
	return nil
}

// parseTree parses a whole formula. An empty (or blank) formula is "~ 1",
// as in patsy.
func parseTree(src string) (*node, error) {
	p := &parser{lex: lexer{src: src}}
	p.advance()
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind == tEOF {
		return &node{kind: nTilde, pos: 0, args: []*node{{kind: nOne, pos: 0, number: 1}}}, nil
	}
	root := p.expr(precLow)
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind != tEOF {
		return nil, invalid(p.tok.pos, "unexpected %s at %d", p.tok.describe(), p.tok.pos)
	}
	if root.kind != nTilde {
		root = &node{kind: nTilde, pos: root.pos, args: []*node{root}}
	}
	return root, nil
}

// expr parses operators whose binding power is at least min.
func (p *parser) expr(min int) *node {
	left := p.noun()
	for p.err == nil {
		prec, ok := binaryPrec(p.tok.kind)
		if !ok || prec < min {
			break
		}
		op := p.tok
		p.advance()
		right := p.expr(prec + 1)
		if p.err != nil {
			return nil
		}
		kind := nBinary
		if op.kind == tTilde {
			kind = nTilde
		}
		left = &node{kind: kind, op: op.kind, pos: op.pos, args: []*node{left, right}}
	}
	return left
}

func (p *parser) noun() *node {
	if p.err != nil {
		return nil
	}
	t := p.tok
	switch t.kind {
	case tLParen:
		p.advance()
		if p.tok.kind == tRParen {
			return p.fail(invalid(p.tok.pos, "unexpected ')' at %d: empty parentheses", p.tok.pos))
		}
		inner := p.expr(precLow)
		if p.err != nil {
			return nil
		}
		if p.tok.kind != tRParen {
			return p.fail(invalid(p.tok.pos, "unexpected %s at %d: expected ')' to close the '(' at %d", p.tok.describe(), p.tok.pos, t.pos))
		}
		p.advance()
		return inner
	case tPlus, tMinus, tTilde:
		p.advance()
		prec := precPlus
		kind := nUnary
		if t.kind == tTilde {
			prec, kind = precTilde, nTilde
		}
		operand := p.expr(prec + 1)
		if p.err != nil {
			return nil
		}
		return &node{kind: kind, op: t.kind, pos: t.pos, args: []*node{operand}}
	case tNumber:
		p.advance()
		n, err := strconv.Atoi(t.text)
		if err != nil {
			n = math.MaxInt // only digits, so the number is too large
		}
		switch t.text {
		case "0":
			return &node{kind: nZero, pos: t.pos, number: 0}
		case "1":
			return &node{kind: nOne, pos: t.pos, number: 1}
		}
		return &node{kind: nNumber, pos: t.pos, number: n}
	case tName:
		p.advance()
		if p.tok.kind != tLParen {
			return &node{kind: nFactor, pos: t.pos, factor: Factor{Kind: Variable, Var: t.text}}
		}
		return p.call(t)
	case tEOF:
		return p.fail(invalid(t.pos, "unexpected end of formula at %d", t.pos))
	case tString:
		return p.fail(invalid(t.pos, "unexpected string at %d: quote a column name as Q(\"name\")", t.pos))
	}
	return p.fail(invalid(t.pos, "unexpected %s at %d", t.describe(), t.pos))
}

// call parses I(name ** k), I(name ^ k), C(name) and Q("name"), where name
// is an identifier or Q("..."). The current token is the '(' after fn.
func (p *parser) call(fn token) *node {
	switch fn.text {
	case "I", "C", "Q":
	default:
		return p.fail(invalid(fn.pos, "unknown function %q at %d: only I(x ** k), C(x) and Q(\"name\") are allowed", fn.text, fn.pos))
	}
	p.advance() // '('
	var f Factor
	switch fn.text {
	case "Q":
		v, ok := p.quoted()
		if !ok {
			return nil
		}
		f = Factor{Kind: Variable, Var: v}
	case "C":
		v, ok := p.varRef()
		if !ok {
			return nil
		}
		f = Factor{Kind: Categorical, Var: v}
	case "I":
		v, ok := p.varRef()
		if !ok {
			return nil
		}
		if p.tok.kind != tPow {
			return p.fail(invalid(p.tok.pos, "unexpected %s at %d: I() takes the form I(x ** k)", p.tok.describe(), p.tok.pos))
		}
		p.advance()
		k := p.tok
		if k.kind != tNumber {
			return p.fail(invalid(k.pos, "unexpected %s at %d: the power in I(x ** k) must be a whole number from 1 to %d", k.describe(), k.pos, maxExponent))
		}
		n, err := strconv.Atoi(k.text)
		if err != nil || n < 1 || n > maxExponent {
			return p.fail(invalid(k.pos, "power %s at %d: the power in I(x ** k) must be a whole number from 1 to %d", k.text, k.pos, maxExponent))
		}
		p.advance()
		f = Factor{Kind: Power, Var: v, Exponent: n}
	}
	if p.err != nil {
		return nil
	}
	if p.tok.kind != tRParen {
		return p.fail(invalid(p.tok.pos, "unexpected %s at %d: expected ')' to close %s(", p.tok.describe(), p.tok.pos, fn.text))
	}
	p.advance()
	return &node{kind: nFactor, pos: fn.pos, factor: f}
}

// maxExponent bounds k in I(x ** k).
const maxExponent = 100

// varRef reads a column reference inside I() or C(): an identifier or
// Q("name").
func (p *parser) varRef() (string, bool) {
	t := p.tok
	if t.kind != tName {
		p.fail(invalid(t.pos, "unexpected %s at %d: expected a column name", t.describe(), t.pos))
		return "", false
	}
	p.advance()
	if p.tok.kind != tLParen {
		return t.text, true
	}
	if t.text != "Q" {
		p.fail(invalid(t.pos, "unknown function %q at %d: only a column name or Q(\"name\") may appear here", t.text, t.pos))
		return "", false
	}
	p.advance()
	v, ok := p.quoted()
	if !ok {
		return "", false
	}
	if p.tok.kind != tRParen {
		p.fail(invalid(p.tok.pos, "unexpected %s at %d: expected ')' to close Q(", p.tok.describe(), p.tok.pos))
		return "", false
	}
	p.advance()
	return v, true
}

// quoted reads the string argument of Q().
func (p *parser) quoted() (string, bool) {
	t := p.tok
	if t.kind != tString {
		p.fail(invalid(t.pos, "unexpected %s at %d: Q() takes a quoted column name", t.describe(), t.pos))
		return "", false
	}
	if t.text == "" {
		p.fail(invalid(t.pos, "empty column name at %d", t.pos))
		return "", false
	}
	p.advance()
	return t.text, p.err == nil
}
