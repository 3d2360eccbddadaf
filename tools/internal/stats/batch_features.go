package stats

import "math"

// MeanAbsDeviation returns the mean absolute deviation of the non-NaN
// values of x about their mean, mean(|x − mean(x)|): pandas' Series.mad and
// GroupBy.mad up to pandas 1.5 (removed in pandas 2). It is NaN when x has no
// non-NaN value. Not to be confused with the median absolute deviation
// (MADRaw, MADNormal).
func MeanAbsDeviation(x []float64) float64 {
	v := DropNaN(x)
	if len(v) == 0 {
		return math.NaN()
	}
	m := NanMean(v)
	sum := 0.0
	for _, e := range v {
		sum += math.Abs(e - m)
	}
	return sum / float64(len(v))
}

// Trapezoid returns the area under the piecewise-linear curve through the
// points (t[i], y[i]) taken in the given order, by the trapezoidal rule:
//
//	Σ (y[i] + y[i+1])/2 · (t[i+1] − t[i])
//
// with the operations in that order (numpy's and pandas' arithmetic on the
// seed's f_area). Callers sort by t and drop missing points first. One point
// gives 0 (a zero-width interval); none, NaN. t and y must have the same
// length; the shorter length is used otherwise.
func Trapezoid(t, y []float64) float64 {
	n := min(len(t), len(y))
	if n == 0 {
		return math.NaN()
	}
	area := 0.0
	for i := 0; i+1 < n; i++ {
		area += float64((y[i]+y[i+1])/2) * (t[i+1] - t[i])
	}
	return area
}
