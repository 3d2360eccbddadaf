package experiments

// Definitive screening designs (the seed's designs_response_surface
// dispatch_dsd, after Jones & Nachtsheim 2011 and Xiao, Lin & Bai 2012):
// with m = k for even k and k + 1 for odd k, and C a conference matrix of
// order m, the design is C, then −C, then one centre run, truncated to the
// first k columns: 2m + 1 runs.

// dsdMatrix returns the DSD for k ≥ 3 factors.
func dsdMatrix(k int) doeMatrix {
	m := k
	if k%2 == 1 {
		m = k + 1
	}
	c := conferenceMatrix(m)
	out := make(doeMatrix, 0, 2*m+1)
	for _, sign := range []float64{1, -1} {
		for _, r := range c {
			row := make([]float64, k)
			for j := range k {
				// −C of a zero is −0.0, as in numpy; the seed's output
				// shows it.
				row[j] = sign * r[j]
			}
			out = append(out, row)
		}
	}
	return append(out, make([]float64, k))
}

// conferenceMatrix returns an m×m conference matrix (zero diagonal, ±1
// elsewhere, CᵀC = (m−1)I) for the even orders a DSD of at most 15
// factors needs:
//   - m − 1 an odd prime: Paley's construction, exactly as the seed builds
//     it (m = 4, 6, 8, 12, 14);
//   - m = 10: Paley's construction over GF(9) (the seed fell back to a
//     cyclic matrix that is not a conference matrix);
//   - m = 16: the skew-Hadamard doubling of Paley's order-8 matrix:
//     H = I + C₈ is skew-Hadamard, so is [[H, H], [−Hᵀ, Hᵀ]], and that
//     minus I is a skew conference matrix (the seed fell back to the
//     cyclic matrix here too).
//
// Any other order falls back to the seed's cyclic approximation.
func conferenceMatrix(m int) [][]float64 {
	q := m - 1
	switch {
	case q >= 3 && doeIsOddPrime(q):
		return paleyConference(doePrimeField(q))
	case m == 10:
		return paleyConference(doeGF9Field())
	case m == 16:
		return doubleSkewConference(paleyConference(doePrimeField(7)))
	}
	return cyclicConference(m)
}

func doeIsOddPrime(n int) bool {
	if n < 3 || n%2 == 0 {
		return false
	}
	for i := 3; i*i <= n; i += 2 {
		if n%i == 0 {
			return false
		}
	}
	return true
}

// doeGF9Field is GF(9) = GF(3)[i]/(i² + 1), element a + b·i as index a + 3b.
func doeGF9Field() doeField {
	f := doeField{q: 9, add: make([][]int, 9), mul: make([][]int, 9)}
	for x := range 9 {
		f.add[x] = make([]int, 9)
		f.mul[x] = make([]int, 9)
		a, b := x%3, x/3
		for y := range 9 {
			c, d := y%3, y/3
			f.add[x][y] = (a+c)%3 + 3*((b+d)%3)
			// (a + bi)(c + di) = (ac − bd) + (ad + bc)i
			re := ((a*c-b*d)%3 + 3) % 3
			im := (a*d + b*c) % 3
			f.mul[x][y] = re + 3*im
		}
	}
	return f
}

// paleyConference is Paley's conference matrix of order q + 1 over GF(q),
// q odd: C[0][1:] = 1, C[1:][0] = +1 if q ≡ 1 (mod 4) else −1, and
// C[1+a][1+b] = χ(b − a), χ the quadratic character.
func paleyConference(f doeField) [][]float64 {
	q := f.q
	square := make([]bool, q)
	for x := 1; x < q; x++ {
		square[f.mul[x][x]] = true
	}
	neg := make([]int, q) // additive inverses
	for x := range q {
		for y := range q {
			if f.add[x][y] == 0 {
				neg[x] = y
			}
		}
	}
	chi := func(x int) float64 {
		switch {
		case x == 0:
			return 0
		case square[x]:
			return 1
		}
		return -1
	}
	n := q + 1
	c := make([][]float64, n)
	for i := range c {
		c[i] = make([]float64, n)
	}
	first := -1.0
	if q%4 == 1 {
		first = 1
	}
	for j := 1; j < n; j++ {
		c[0][j] = 1
		c[j][0] = first
	}
	for a := range q {
		for b := range q {
			c[1+a][1+b] = chi(f.add[b][neg[a]])
		}
	}
	return c
}

// doubleSkewConference doubles a skew conference matrix C of order n to
// one of order 2n through the skew-Hadamard matrix H = I + C.
func doubleSkewConference(c [][]float64) [][]float64 {
	n := len(c)
	h := func(i, j int) float64 {
		if i == j {
			return 1
		}
		return c[i][j]
	}
	out := make([][]float64, 2*n)
	for i := range out {
		out[i] = make([]float64, 2*n)
	}
	for i := range n {
		for j := range n {
			out[i][j] = h(i, j)
			out[i][n+j] = h(i, j)
			out[n+i][j] = -h(j, i)
			out[n+i][n+j] = h(j, i)
		}
	}
	for i := range out {
		out[i][i] = 0
	}
	return out
}

// cyclicConference is the seed's _cyclic_conference_matrix fallback (not a
// true conference matrix).
func cyclicConference(k int) [][]float64 {
	c := make([][]float64, k)
	half := (k - 1) / 2
	seq := make([]float64, k-1)
	for i := range seq {
		seq[i] = -1
		if i < half {
			seq[i] = 1
		}
	}
	mod := func(a, b int) int { return ((a % b) + b) % b }
	for i := range c {
		c[i] = make([]float64, k)
		for j := range c[i] {
			if i == j {
				continue
			}
			var idx int
			if j > i {
				idx = mod(j-i-1, k-1)
			} else {
				idx = mod(j-i, k-1)
			}
			c[i][j] = seq[idx]
		}
	}
	return c
}
