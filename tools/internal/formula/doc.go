// Package formula reads Wilkinson model formulas ("y ~ A*B + I(A ** 2)")
// and builds model matrices from row data, with patsy's term order, column
// order, coding and column names (patsy 0.5.3, which produced the seed's
// observed values), so that ports of the seed's statsmodels code get the
// same coefficients in the same order under the same names.
//
// Nothing is evaluated: a hand-written lexer and parser accept only column
// names, whole numbers, the operators ~ + - * : ** ^ and parentheses, and
// three fixed forms, I(x ** k) (also I(x ^ k)), C(x) and Q("column name").
// This closes the seed's SEC-01 hole by construction (patsy evaluates every
// term as Python code).
//
// # Use
//
//	f, err := formula.Parse("y ~ A*B", nil) // nil: the default caps
//	d, err := f.Build(rows, nil)           // rows: []map[string]any
//	// d.X (n×p), d.Y, d.Columns ("Intercept", "A", "B", "A:B"), d.Terms
//	xNew, err := d.Matrix(newRows)         // same coding, for predictions
//
// Errors are *errcode.Error values with code input_invalid or
// input_too_large, ready to return from a tool's Check or Run.
//
// # Grammar and expansion
//
// Operators bind as in patsy: ~ loosest, then + and - (binary and unary),
// then *, then :, then ** (and ^, which R users write for the same thing);
// binary operators group left to right; parentheses group. Expansion
// follows patsy's Evaluator (see expand.go for the rules): "+" concatenates
// term lists, "-" removes terms, ":" forms every product, "*" is a + b +
// a:b, "**n" adds products up to order n; a term is a set of factors and
// appears once, where it first appeared, with its factors in the order they
// were written. The intercept is present unless removed with "- 1", "+ 0",
// "0 +" or "-1 +"; "- 0" and "+ 1" put it back. Examples (the right-hand
// side, intercept aside):
//
//	A*B*C           A, B, A:B, C, A:C, B:C, A:B:C
//	(A+B+C)**2      A, B, C, A:B, A:C, B:C
//	(A+B+C)**3      A, B, C, A:B, A:C, B:C, A:B:C
//	A*(B+C)         A, B, C, A:B, A:C
//	(A+B)*(C+D)     A, B, C, D, A:C, A:D, B:C, B:D
//	A*B - A         B, A:B
//	A:B + B:A       A:B
//
// # Differences from patsy
//
//   - Only the grammar above: no arbitrary Python inside I(), no numpy
//     functions, no "/" (nesting), no contrasts other than treatment, no
//     Treatment(reference=…). I(x ^ k) means x to the power k (Python would
//     read ^ as exclusive or) and is named "I(x ** k)"; k runs from 1 to 100.
//   - The left-hand side is one column (patsy also accepts expressions).
//   - Expansion is bounded so that Parse stays fast on any input: at most
//     1,000 terms at any step and 250,000 products of terms per formula
//     (input_too_large beyond), which refuses a few formulas patsy would
//     expand and then cut back below the cap by subtraction. A power stops
//     once its products stop changing, which gives patsy's result.
//   - Q() names are written back with double quotes: Q('a b') is named
//     Q("a b").
//   - I(x ** k) is computed in floating point even for integer columns,
//     where numpy would wrap on overflow; a power that overflows float64 is
//     an error.
package formula
