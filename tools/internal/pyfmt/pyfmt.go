// Package pyfmt writes numbers and names the way the seed's Python did, so
// that callers who compare outputs with the original tools see the same
// text.
package pyfmt

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Float is a float64 output value written the way Python's json.dumps
// writes a float: null for NaN and ±Inf (the seed's clean() rule), always
// with a decimal point or an exponent (22.0, not 22), and in exponent form
// exactly when Python's repr uses it (below 1e-4 or from 1e16 up). The seed
// distinguishes float and integer outputs (ttest_two_samples reports 22.0
// degrees of freedom, the paired test 11), and callers in Python see the
// same types as before.
//
// Because MarshalJSON never fails, a result built from Float fields always
// takes tool.Marshal's fast path, which keeps this encoding.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return []byte(Repr(v)), nil
}

// Repr formats a finite float like Python's repr.
func Repr(v float64) string {
	e := strconv.FormatFloat(v, 'e', -1, 64)
	exp, err := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if err != nil || exp < -4 || exp >= 16 {
		return e // Go and Python both write 1e-05, 1.5e+16
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}

// Floats converts a slice for output.
func Floats(x []float64) []Float {
	out := make([]Float, len(x))
	for i, v := range x {
		out[i] = Float(v)
	}
	return out
}

// The interpretation strings are Python f-strings in the seed. Go's verbs
// agree with Python's format specs for finite values; the non-finite ones
// are spelled as Python spells them.

func nonFinite(v float64) (string, bool) {
	switch {
	case math.IsNaN(v):
		return "nan", true
	case math.IsInf(v, 1):
		return "inf", true
	case math.IsInf(v, -1):
		return "-inf", true
	}
	return "", false
}

// Fixed formats v like Python's f"{v:.{prec}f}".
func Fixed(v float64, prec int) string {
	if s, ok := nonFinite(v); ok {
		return s
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// General formats v like Python's f"{v:.{prec}g}".
func General(v float64, prec int) string {
	if s, ok := nonFinite(v); ok {
		return s
	}
	return fmt.Sprintf("%.*g", prec, v)
}

// Percent0 formats v like Python's f"{v:.0%}": 0.05 → "5%".
func Percent0(v float64) string {
	if s, ok := nonFinite(v * 100); ok {
		return s + "%"
	}
	return strconv.FormatFloat(v*100, 'f', 0, 64) + "%"
}

// Quote writes s as Python's repr() of a str does, as the seed's messages
// quote names and keys: in single quotes with \ and ' escaped, or, when s
// has a ' and no ", in double quotes as it is. Unlike repr it leaves control
// characters as they are.
func Quote(s string) string {
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
