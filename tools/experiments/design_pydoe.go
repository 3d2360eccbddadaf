package experiments

import (
	"math"
	"math/big"
)

// Ports of the pyDOE3 generators the seed calls (pyDOE3 HEAD b4f56a5,
// seed-spec §5): ff2n, fracfact_by_res, pbdesign, bbdesign and ccdesign
// with star, union and repeat_center. Each returns a coded matrix as rows.
// They follow pyDOE3 line for line, so the rows come out in pyDOE3's order.

// doeMatrix is a design as rows of coded values.
type doeMatrix [][]float64

// doeZeroRows returns n rows of k zeros (pyDOE3's repeat_center).
func doeZeroRows(n, k int) doeMatrix {
	m := make(doeMatrix, n)
	for i := range m {
		m[i] = make([]float64, k)
	}
	return m
}

// ff2n is pyDOE3's ff2n(k) = itertools.product([-1, 1], repeat=k): all 2^k
// runs with the first factor changing slowest (pyDOE3 ≥ 1.0.4; older
// versions used Yates order).
func ff2n(k int) doeMatrix {
	n := 1 << k
	m := make(doeMatrix, n)
	for r := range m {
		row := make([]float64, k)
		for j := range row {
			row[j] = -1
			if r>>(k-1-j)&1 == 1 {
				row[j] = 1
			}
		}
		m[r] = row
	}
	return m
}

// doeBinom returns C(n, r) as an int (scipy's binom on integers is exact in
// the range used here).
func doeBinom(n, r int) int {
	if r < 0 || r > n {
		return 0
	}
	c := 1
	for i := 1; i <= r; i++ {
		c = c * (n - r + i) / i
	}
	return c
}

// doeCombinations calls fn with every r-subset of {0, …, n−1} in
// itertools.combinations order; fn returning false stops the walk.
func doeCombinations(n, r int, fn func(idx []int) bool) {
	if r < 0 || r > n {
		return
	}
	idx := make([]int, r)
	for i := range idx {
		idx[i] = i
	}
	for {
		if !fn(idx) {
			return
		}
		i := r - 1
		for i >= 0 && idx[i] == i+n-r {
			i--
		}
		if i < 0 {
			return
		}
		idx[i]++
		for j := i + 1; j < r; j++ {
			idx[j] = idx[j-1] + 1
		}
	}
}

// pydoeFracfactByRes is pyDOE3's fracfact_by_res(n, res) as words: the
// number of base factors and, for each added factor, the bit mask of the
// base factors whose product it is. ok is false where pyDOE3 raises
// "design not possible", which is every res ≥ n: its count of the
// factors b base factors can carry, Σ_{r=res−1}^{b−1} C(b, r) + b, leaves
// out the word of all b base factors.
func pydoeFracfactByRes(n, res int) (base int, gens []uint32, ok bool) {
	nFacAtRes := func(b int) int {
		s := b
		for r := res - 1; r < b; r++ {
			s += doeBinom(b, r)
		}
		return s
	}
	base = -1
	for b := res - 1; b < n; b++ {
		if nFacAtRes(b) >= n {
			base = b
			break
		}
	}
	if base < 0 {
		return 0, nil, false
	}
	for r := res - 1; r < base && len(gens) < n-base; r++ {
		doeCombinations(base, r, func(idx []int) bool {
			var w uint32
			for _, i := range idx {
				w |= 1 << i
			}
			gens = append(gens, w)
			return len(gens) < n-base
		})
	}
	return base, gens, true
}

// pbdesign is pyDOE3's pbdesign(k): a Hadamard matrix of order N = 4(⌊k/4⌋
// + 1) built by Sylvester doubling from H1, the Paley/Toeplitz H12 or the
// Hankel H20; its first column is dropped, the next k kept and the rows
// reversed (flipud). ok is false where pyDOE3 asserts (N not 2^e, 12·2^e or
// 20·2^e; never for k ≤ 15).
func pbdesign(k int) (doeMatrix, bool) {
	n := 4 * (k/4 + 1)
	var h [][]float64
	e := 0
	switch {
	case doePow2Multiple(n, 1, &e):
		h = [][]float64{{1}}
	case doePow2Multiple(n, 12, &e):
		col := []float64{-1, -1, 1, -1, -1, -1, 1, 1, 1, -1, 1}
		row := []float64{-1, 1, -1, 1, 1, 1, -1, -1, -1, 1, -1}
		h = doeBorderOnes(doeToeplitz(col, row))
	case doePow2Multiple(n, 20, &e):
		col := []float64{-1, -1, 1, 1, -1, -1, -1, -1, 1, -1, 1, -1, 1, 1, 1, 1, -1, -1, 1}
		row := []float64{1, -1, -1, 1, 1, -1, -1, -1, -1, 1, -1, 1, -1, 1, 1, 1, 1, -1, -1}
		h = doeBorderOnes(doeHankel(col, row))
	default:
		return nil, false
	}
	for range e {
		s := len(h)
		d := make([][]float64, 2*s)
		for i := range s {
			d[i] = append(append([]float64{}, h[i]...), h[i]...)
			neg := make([]float64, s)
			for j, v := range h[i] {
				neg[j] = -v
			}
			d[s+i] = append(append([]float64{}, h[i]...), neg...)
		}
		h = d
	}
	m := make(doeMatrix, len(h))
	for i := range h {
		// Columns 1 … k, rows reversed.
		m[len(h)-1-i] = append([]float64{}, h[i][1:k+1]...)
	}
	return m, true
}

// doePow2Multiple reports whether n = base·2^e for some e ≥ 0 (numpy.frexp
// mantissa 0.5 with a positive exponent, as pbdesign tests it) and sets e.
func doePow2Multiple(n, base int, e *int) bool {
	if n%base != 0 {
		return false
	}
	q := n / base
	if q < 1 || q&(q-1) != 0 {
		return false
	}
	*e = 0
	for q > 1 {
		q >>= 1
		*e++
	}
	return true
}

// doeBorderOnes returns [[1 … 1]; [1, t]] for the (N−1)×(N−1) matrix t.
func doeBorderOnes(t [][]float64) [][]float64 {
	n := len(t) + 1
	h := make([][]float64, n)
	h[0] = make([]float64, n)
	for j := range h[0] {
		h[0][j] = 1
	}
	for i, r := range t {
		h[i+1] = append([]float64{1}, r...)
	}
	return h
}

// doeToeplitz is scipy.linalg.toeplitz(c, r): t[i][j] = c[i−j] for i ≥ j,
// r[j−i] otherwise.
func doeToeplitz(c, r []float64) [][]float64 {
	t := make([][]float64, len(c))
	for i := range t {
		t[i] = make([]float64, len(r))
		for j := range t[i] {
			if i >= j {
				t[i][j] = c[i-j]
			} else {
				t[i][j] = r[j-i]
			}
		}
	}
	return t
}

// doeHankel is scipy.linalg.hankel(c, r): h[i][j] = c[i+j] while i+j <
// len(c), then r[i+j−len(c)+1].
func doeHankel(c, r []float64) [][]float64 {
	h := make([][]float64, len(c))
	for i := range h {
		h[i] = make([]float64, len(r))
		for j := range h[i] {
			if i+j < len(c) {
				h[i][j] = c[i+j]
			} else {
				h[i][j] = r[i+j-len(c)+1]
			}
		}
	}
	return h
}

// bbdesign is pyDOE3's bbdesign(k, center): for every pair i < j a 2²
// factorial (ff2n(2) order) in columns i and j, then center zero rows.
// k ≥ 3 (the caller checks).
func bbdesign(k, center int) doeMatrix {
	f := ff2n(2)
	m := make(doeMatrix, 0, 2*k*(k-1)+center)
	for i := 0; i < k-1; i++ {
		for j := i + 1; j < k; j++ {
			for _, r := range f {
				row := make([]float64, k)
				row[i], row[j] = r[0], r[1]
				m = append(m, row)
			}
		}
	}
	return append(m, doeZeroRows(center, k)...)
}

// doeStar is pyDOE3's star: the 2k axial rows (−a, +a per factor in
// turn), each 0 or ±1 times a.
func doeStar(k int, a float64) doeMatrix {
	m := doeZeroRows(2*k, k)
	for i := range k {
		m[2*i][i] = -1 * a
		m[2*i+1][i] = 1 * a
	}
	return m
}

// doeCCDAlpha is the axial distance of pyDOE3's star for the orthogonal and
// rotatable choices: rotatable (2^k)^¼; orthogonal √(k(1 + nao/2k)/(1 +
// nco/2^k)) with nco and nao the centre points of the cube and axial blocks.
func doeCCDAlpha(k int, rotatable bool, nco, nao int) float64 {
	nc := math.Pow(2, float64(k))
	if rotatable {
		return doeFourthRoot(nc)
	}
	na := float64(2 * k)
	return math.Pow(float64(k)*(1+float64(nao)/na)/(1+float64(nco)/nc), 0.5)
}

// ccdesign is pyDOE3's ccdesign(k, center=(nco, nao)) with circumscribed or
// faced star points at distance a: ff2n(k), nco centre rows, the 2k star
// rows, nao centre rows.
func ccdesign(k, nco, nao int, a float64) doeMatrix {
	m := ff2n(k)
	m = append(m, doeZeroRows(nco, k)...)
	m = append(m, doeStar(k, a)...)
	return append(m, doeZeroRows(nao, k)...)
}

// doeFourthRoot is x ** 0.25 correctly rounded, as Python's float power
// (the C library's pow) gives it and math.Pow (off by an ulp for 4, 64,
// 1024, …) does not: from √√x it steps to the neighbour while the midpoint
// towards it, raised to the fourth power exactly, is still on x's side.
func doeFourthRoot(x float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) {
		return math.Pow(x, 0.25)
	}
	bx := new(big.Float).SetPrec(512).SetFloat64(x)
	pow4 := func(a, b float64) int { // sign of ((a+b)/2)^4 − x
		m := new(big.Float).SetPrec(512).SetFloat64(a)
		m.Add(m, new(big.Float).SetPrec(512).SetFloat64(b))
		m.Quo(m, big.NewFloat(2))
		m2 := new(big.Float).SetPrec(512).Mul(m, m)
		m2.Mul(m2, m2)
		return m2.Cmp(bx)
	}
	c := math.Sqrt(math.Sqrt(x))
	for range 4 {
		if up := math.Nextafter(c, math.Inf(1)); pow4(c, up) < 0 {
			c = up
			continue
		}
		if dn := math.Nextafter(c, 0); pow4(c, dn) > 0 {
			c = dn
			continue
		}
		break
	}
	return c
}
