package experiments

// The Taguchi orthogonal arrays of pyDOE3's list, in its order, built from
// their published constructions rather than stored as tables:
//
//   - L4, L8, L16(2^15), L32(2^31), L64(2^31), L9, L27, L81, L16(4^5),
//     L25, L64(4^21): the linear arrays over GF(q) in Taguchi's standard
//     column order (for each new basic column e, e plus every combination of
//     the earlier basic columns, the first fastest), rows running through
//     GF(q)^n with the first coordinate slowest. L4, L8 and L16(2^15) so
//     come out as the NIST tables pyDOE3 ships; L64(2^31) is the first 31
//     columns of the 63 of L64.
//   - L12: the Plackett–Burman H12 (its first column dropped).
//   - L18(6^1 3^6), L36(2^11 3^12), L50(2^1 5^11), L54(2^1 3^25),
//     L32(2^1 4^9): a difference scheme D(r, c, s) gives OA(rs, r^1 s^c)
//     (row (i, j): i, then D[i][c] + j), and its r-level column is then
//     replaced by a smaller array (L12 for r = 12, the 2×5, 2×4 or 2×3
//     full factorials, L18's own 2^1 3^7 form for r = 18). The difference
//     schemes D(6,6,3), D(8,8,4) over GF(4), D(10,10,5) and D(12,12,3) were
//     found by a depth-first search and are checked by the tests; D(18,18,3)
//     is the Kronecker sum of D(6,6,3) and GF(3)'s multiplication table.
//
// pyDOE3 names two of its tables wrongly: its "L27(2^1 3^12)" is the
// standard 3^13 array and its "L36(3^23)" has eleven 2-level and twelve
// 3-level columns. The arrays here carry their true structure, and the
// selection uses it.

// orthogonalArray describes one array: its name, the level count of each
// column, and how to build its rows (symbols 0 … s−1).
type orthogonalArray struct {
	name   string
	levels []int
	build  func() [][]int
}

func doeRepeatLevels(pairs ...int) []int {
	var out []int
	for i := 0; i < len(pairs); i += 2 {
		for range pairs[i+1] {
			out = append(out, pairs[i])
		}
	}
	return out
}

// taguchiArrays is pyDOE3's list_orthogonal_arrays() order.
var taguchiArrays = []orthogonalArray{
	{"L4(2^3)", doeRepeatLevels(2, 3), func() [][]int { return doeLinearOA(doeGF2, 2, 3) }},
	{"L8(2^7)", doeRepeatLevels(2, 7), func() [][]int { return doeLinearOA(doeGF2, 3, 7) }},
	{"L9(3^4)", doeRepeatLevels(3, 4), func() [][]int { return doeLinearOA(doeGF3, 2, 4) }},
	{"L12(2^11)", doeRepeatLevels(2, 11), oaL12},
	{"L16(2^15)", doeRepeatLevels(2, 15), func() [][]int { return doeLinearOA(doeGF2, 4, 15) }},
	{"L16(4^5)", doeRepeatLevels(4, 5), func() [][]int { return doeLinearOA(doeGF4, 2, 5) }},
	{"L18(6^1 3^6)", doeRepeatLevels(6, 1, 3, 6), func() [][]int { return doeDifferenceOA(dsD6x6x3, doeGF3) }},
	{"L25(5^6)", doeRepeatLevels(5, 6), func() [][]int { return doeLinearOA(doeGF5, 2, 6) }},
	{"L27(3^13)", doeRepeatLevels(3, 13), func() [][]int { return doeLinearOA(doeGF3, 3, 13) }},
	{"L32(2^31)", doeRepeatLevels(2, 31), func() [][]int { return doeLinearOA(doeGF2, 5, 31) }},
	{"L32(2^1 4^9)", doeRepeatLevels(2, 1, 4, 9), oaL32Mixed},
	{"L36(2^11 3^12)", doeRepeatLevels(2, 11, 3, 12), oaL36},
	{"L50(2^1 5^11)", doeRepeatLevels(2, 1, 5, 11), oaL50},
	{"L54(2^1 3^25)", doeRepeatLevels(2, 1, 3, 25), oaL54},
	{"L64(2^31)", doeRepeatLevels(2, 31), func() [][]int { return doeLinearOA(doeGF2, 6, 31) }},
	{"L64(4^21)", doeRepeatLevels(4, 21), func() [][]int { return doeLinearOA(doeGF4, 3, 21) }},
	{"L81(3^40)", doeRepeatLevels(3, 40), func() [][]int { return doeLinearOA(doeGF3, 4, 40) }},
}

// doeField is GF(q) by its addition and multiplication tables.
type doeField struct {
	q        int
	add, mul [][]int
}

func doePrimeField(p int) doeField {
	f := doeField{q: p, add: make([][]int, p), mul: make([][]int, p)}
	for a := range p {
		f.add[a] = make([]int, p)
		f.mul[a] = make([]int, p)
		for b := range p {
			f.add[a][b] = (a + b) % p
			f.mul[a][b] = a * b % p
		}
	}
	return f
}

// doeGF4Field is GF(4) = GF(2)[w]/(w² + w + 1), elements 0, 1, w, w+1 as the
// bit patterns 0 … 3: addition is XOR.
func doeGF4Field() doeField {
	f := doeField{q: 4, add: make([][]int, 4), mul: make([][]int, 4)}
	mul := func(a, b int) int {
		// Carry-less product reduced by w² = w + 1.
		p := 0
		for i := range 2 {
			if b>>i&1 == 1 {
				p ^= a << i
			}
		}
		if p&4 != 0 {
			p ^= 0b111
		}
		return p
	}
	for a := range 4 {
		f.add[a] = make([]int, 4)
		f.mul[a] = make([]int, 4)
		for b := range 4 {
			f.add[a][b] = a ^ b
			f.mul[a][b] = mul(a, b)
		}
	}
	return f
}

var (
	doeGF2 = doePrimeField(2)
	doeGF3 = doePrimeField(3)
	doeGF4 = doeGF4Field()
	doeGF5 = doePrimeField(5)
)

// doeLinearOA returns the first cols columns of the linear array over
// GF(q)^n in Taguchi's order.
func doeLinearOA(f doeField, n, cols int) [][]int {
	q := f.q
	// Column coefficient vectors.
	var coefs [][]int
	for t := 0; t < n && len(coefs) < cols; t++ {
		span := 1
		for range t {
			span *= q
		}
		for v := 0; v < span && len(coefs) < cols; v++ {
			c := make([]int, n)
			c[t] = 1
			for i, x := 0, v; i < t; i++ {
				c[i] = x % q // the first basic column fastest
				x /= q
			}
			coefs = append(coefs, c)
		}
	}
	runs := 1
	for range n {
		runs *= q
	}
	rows := make([][]int, runs)
	a := make([]int, n)
	for r := range rows {
		for i, x := n-1, r; i >= 0; i-- {
			a[i] = x % q // the first coordinate slowest
			x /= q
		}
		row := make([]int, len(coefs))
		for j, c := range coefs {
			s := 0
			for i := range n {
				s = f.add[s][f.mul[c[i]][a[i]]]
			}
			row[j] = s
		}
		rows[r] = row
	}
	return rows
}

// oaL12 is the Plackett–Burman H12 without its column of ones, +1 as
// symbol 0 (so the first run is all zeros, as in Taguchi's table).
func oaL12() [][]int {
	col := []float64{-1, -1, 1, -1, -1, -1, 1, 1, 1, -1, 1}
	row := []float64{-1, 1, -1, 1, 1, 1, -1, -1, -1, 1, -1}
	h := doeBorderOnes(doeToeplitz(col, row))
	out := make([][]int, len(h))
	for i, r := range h {
		out[i] = make([]int, 11)
		for j, v := range r[1:] {
			if v < 0 {
				out[i][j] = 1
			}
		}
	}
	return out
}

// Difference schemes (rows × columns over the group of the field).
var (
	dsD6x6x3 = [][]int{
		{0, 0, 0, 0, 0, 0}, {0, 0, 1, 1, 2, 2}, {0, 1, 0, 2, 1, 2},
		{0, 1, 2, 0, 2, 1}, {0, 2, 1, 2, 0, 1}, {0, 2, 2, 1, 1, 0},
	}
	dsD8x8x4 = [][]int{ // over GF(4)'s additive group (XOR)
		{0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 1, 1, 2, 2, 3, 3}, {0, 1, 2, 3, 0, 1, 2, 3},
		{0, 1, 3, 2, 2, 3, 1, 0}, {0, 2, 0, 2, 3, 1, 3, 1}, {0, 2, 1, 3, 1, 3, 0, 2},
		{0, 3, 2, 1, 3, 0, 1, 2}, {0, 3, 3, 0, 1, 2, 2, 1},
	}
	dsD10x10x5 = [][]int{
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 1, 1, 2, 2, 3, 3, 4, 4},
		{0, 1, 0, 3, 3, 4, 1, 2, 2, 4}, {0, 1, 3, 4, 0, 2, 2, 4, 1, 3},
		{0, 2, 2, 3, 1, 0, 4, 1, 4, 3}, {0, 2, 4, 1, 3, 1, 0, 4, 3, 2},
		{0, 3, 1, 0, 4, 3, 4, 2, 1, 2}, {0, 3, 4, 2, 1, 4, 2, 3, 0, 1},
		{0, 4, 2, 4, 2, 3, 1, 0, 3, 1}, {0, 4, 3, 2, 4, 1, 3, 1, 2, 0},
	}
	dsD12x12x3 = [][]int{
		{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2},
		{0, 0, 0, 1, 0, 2, 2, 2, 1, 1, 1, 2}, {0, 0, 1, 2, 2, 0, 1, 2, 0, 1, 2, 1},
		{0, 1, 0, 2, 2, 1, 2, 0, 2, 0, 1, 1}, {0, 1, 2, 0, 1, 2, 0, 2, 0, 2, 1, 1},
		{0, 1, 2, 1, 2, 0, 0, 1, 2, 1, 0, 2}, {0, 1, 2, 2, 0, 2, 1, 1, 1, 0, 2, 0},
		{0, 2, 1, 0, 2, 0, 2, 1, 1, 2, 1, 0}, {0, 2, 1, 1, 0, 2, 1, 0, 2, 2, 0, 1},
		{0, 2, 1, 2, 1, 1, 0, 2, 1, 0, 0, 2}, {0, 2, 2, 1, 1, 1, 2, 0, 0, 1, 2, 0},
	}
)

// doeKroneckerSum is the difference scheme D1 ⊕ D2: row (i1, i2), column
// (c1, c2) holds D1[i1][c1] + D2[i2][c2].
func doeKroneckerSum(d1, d2 [][]int, f doeField) [][]int {
	var out [][]int
	for _, r1 := range d1 {
		for _, r2 := range d2 {
			row := make([]int, 0, len(r1)*len(r2))
			for _, a := range r1 {
				for _, b := range r2 {
					row = append(row, f.add[a][b])
				}
			}
			out = append(out, row)
		}
	}
	return out
}

// doeDifferenceOA expands D(r, c, s) into OA(rs, r^1 s^c): run (i, j) has i
// in the first column and D[i][col] + j in the others.
func doeDifferenceOA(d [][]int, f doeField) [][]int {
	var out [][]int
	for i, r := range d {
		for j := range f.q {
			row := []int{i}
			for _, v := range r {
				row = append(row, f.add[v][j])
			}
			out = append(out, row)
		}
	}
	return out
}

// doeReplaceFirstColumn substitutes the rows of sub for the symbols of the
// first column (symbol i becomes row i of sub).
func doeReplaceFirstColumn(a, sub [][]int) [][]int {
	out := make([][]int, len(a))
	for i, r := range a {
		out[i] = append(append([]int{}, sub[r[0]]...), r[1:]...)
	}
	return out
}

// doeFactorialOA is the a×b full factorial as an OA(ab, a^1 b^1).
func doeFactorialOA(a, b int) [][]int {
	out := make([][]int, 0, a*b)
	for i := range a {
		for j := range b {
			out = append(out, []int{i, j})
		}
	}
	return out
}

func oaL32Mixed() [][]int {
	return doeReplaceFirstColumn(doeDifferenceOA(dsD8x8x4, doeGF4), doeFactorialOA(2, 4))
}

func oaL36() [][]int {
	return doeReplaceFirstColumn(doeDifferenceOA(dsD12x12x3, doeGF3), oaL12())
}

func oaL50() [][]int {
	return doeReplaceFirstColumn(doeDifferenceOA(dsD10x10x5, doeGF5), doeFactorialOA(2, 5))
}

// oaL18Mixed is OA(18, 2^1 3^7): L18(6^1 3^6) with its 6-level column
// split into a 2×3 factorial.
func oaL18Mixed() [][]int {
	return doeReplaceFirstColumn(doeDifferenceOA(dsD6x6x3, doeGF3), doeFactorialOA(2, 3))
}

func oaL54() [][]int {
	d18 := doeKroneckerSum(dsD6x6x3, doeMulTable(doeGF3), doeGF3)
	return doeReplaceFirstColumn(doeDifferenceOA(d18, doeGF3), oaL18Mixed())
}

// doeMulTable is GF(q)'s multiplication table, the difference scheme
// D(q, q, q).
func doeMulTable(f doeField) [][]int { return f.mul }

// taguchiPlan is the choice of array and columns for a set of factors.
type taguchiPlan struct {
	array   orthogonalArray
	columns []int // the array column of each factor
}

// chooseTaguchi picks the first array of pyDOE3's list in which every
// factor gets a column of its own with at least as many levels as the
// factor has. Factors with more levels choose first, each taking the
// free column with the fewest adequate levels (so equal level counts are
// preferred). The seed instead required the array's column count to equal
// the number of factors exactly. ok is false when no array fits.
func chooseTaguchi(levels []int) (taguchiPlan, bool) {
	order := make([]int, len(levels))
	for i := range order {
		order[i] = i
	}
	// Stable: more levels first, ties in factor order.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && levels[order[j]] > levels[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	for _, a := range taguchiArrays {
		if len(a.levels) < len(levels) {
			continue
		}
		used := make([]bool, len(a.levels))
		cols := make([]int, len(levels))
		ok := true
		for _, f := range order {
			best := -1
			for c, s := range a.levels {
				if !used[c] && s >= levels[f] && (best < 0 || s < a.levels[best]) {
					best = c
				}
			}
			if best < 0 {
				ok = false
				break
			}
			used[best] = true
			cols[f] = best
		}
		if ok {
			return taguchiPlan{array: a, columns: cols}, true
		}
	}
	return taguchiPlan{}, false
}
