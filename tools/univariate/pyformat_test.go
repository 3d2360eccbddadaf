package univariate

import (
	"encoding/json"
	"math"
	"testing"
)

// The expected strings below were produced by CPython 3.11 (json.dumps and
// format()).

func TestPyFloatJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v    float64
		want string
	}{
		{22.0, "22.0"},
		{0.0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{0.1, "0.1"},
		{1e-05, "1e-05"},
		{0.0001, "0.0001"},
		{1.5e16, "1.5e+16"},
		{1e16, "1e+16"},
		{9999999999999998.0, "9999999999999998.0"},
		{123456789.125, "123456789.125"},
		{-2.176, "-2.176"},
		{1e300, "1e+300"},
		{5e-324, "5e-324"},
		{0.30000000000000004, "0.30000000000000004"},
		{math.NaN(), "null"},
		{math.Inf(1), "null"},
		{math.Inf(-1), "null"},
	}
	for _, tc := range cases {
		b, err := json.Marshal(pyFloat(tc.v))
		if err != nil {
			t.Fatalf("json.Marshal(%v): %v", tc.v, err)
		}
		if got := string(b); got != tc.want {
			t.Errorf("pyFloat(%v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestPyFormatSpecs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, got, want string
	}{
		{".4g negative", pyGeneral(-2.1758333333333337, 4), "-2.176"},
		{".4g zero", pyGeneral(0, 4), "0"},
		{".4g negative zero", pyGeneral(math.Copysign(0, -1), 4), "-0"},
		{".4g exponent", pyGeneral(123456.0, 4), "1.235e+05"},
		{".4g half to even", pyGeneral(1234.5, 4), "1234"},
		{".4g small", pyGeneral(0.00012345, 4), "0.0001234"},
		{".4g smaller", pyGeneral(1e-05, 4), "1e-05"},
		{".4g rounds into exponent", pyGeneral(99995.0, 4), "1e+05"},
		{".4g nan", pyGeneral(math.NaN(), 4), "nan"},
		{".4g inf", pyGeneral(math.Inf(1), 4), "inf"},
		{".4f", pyFixed(0.006739691415085836, 4), "0.0067"},
		{".4f nan", pyFixed(math.NaN(), 4), "nan"},
		{".4f -inf", pyFixed(math.Inf(-1), 4), "-inf"},
		{".4f pads", pyFixed(0.5, 4), "0.5000"},
		{".4f rounds up", pyFixed(0.99995, 4), "1.0000"},
		{".4f negative zero", pyFixed(math.Copysign(0, -1), 4), "-0.0000"},
		{".2f of 1 - 0.95", pyFixed(1-0.95, 2), "0.05"},
		{".2f of 1 - 0.975", pyFixed(1-0.975, 2), "0.03"},
		{".0% of 0.05", pyPercent0(0.05), "5%"},
		{".0% of 0.025", pyPercent0(0.025), "2%"},
		{".0% of 0.125", pyPercent0(0.125), "12%"},
		{".0% of 0.999", pyPercent0(0.999), "100%"},
		{".0% of nan", pyPercent0(math.NaN()), "nan%"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
