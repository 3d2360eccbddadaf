package stats

// Linspace returns num evenly spaced values from start to stop inclusive,
// computed as numpy.linspace(start, stop, num) computes them so that grids
// (and anything floored from them) agree with the seed to the last bit:
// value i is i·step + start with step = (stop − start)/(num − 1), except
// that the last value is stop itself; when step underflows to 0 it is
// (i/(num − 1))·(stop − start) + start. num = 1 gives [start]; num ≤ 0 gives
// an empty slice.
func Linspace(start, stop float64, num int) []float64 {
	if num <= 0 {
		return []float64{}
	}
	out := make([]float64, num)
	if num == 1 {
		out[0] = start
		return out
	}
	div := float64(num - 1)
	delta := stop - start
	step := delta / div
	for i := range out {
		// The explicit conversions forbid fusing into an FMA, which
		// would round once where numpy rounds twice.
		if step == 0 {
			out[i] = float64(float64(float64(i)/div)*delta) + start
		} else {
			out[i] = float64(float64(i)*step) + start
		}
	}
	out[num-1] = stop
	return out
}
