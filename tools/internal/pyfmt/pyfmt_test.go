package pyfmt

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
		b, err := json.Marshal(Float(tc.v))
		if err != nil {
			t.Fatalf("json.Marshal(%v): %v", tc.v, err)
		}
		if got := string(b); got != tc.want {
			t.Errorf("Float(%v) = %s, want %s", tc.v, got, tc.want)
		}
	}
}

func TestPyFormatSpecs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, got, want string
	}{
		{".4g negative", General(-2.1758333333333337, 4), "-2.176"},
		{".4g zero", General(0, 4), "0"},
		{".4g negative zero", General(math.Copysign(0, -1), 4), "-0"},
		{".4g exponent", General(123456.0, 4), "1.235e+05"},
		{".4g half to even", General(1234.5, 4), "1234"},
		{".4g small", General(0.00012345, 4), "0.0001234"},
		{".4g smaller", General(1e-05, 4), "1e-05"},
		{".4g rounds into exponent", General(99995.0, 4), "1e+05"},
		{".4g nan", General(math.NaN(), 4), "nan"},
		{".4g inf", General(math.Inf(1), 4), "inf"},
		{".4f", Fixed(0.006739691415085836, 4), "0.0067"},
		{".4f nan", Fixed(math.NaN(), 4), "nan"},
		{".4f -inf", Fixed(math.Inf(-1), 4), "-inf"},
		{".4f pads", Fixed(0.5, 4), "0.5000"},
		{".4f rounds up", Fixed(0.99995, 4), "1.0000"},
		{".4f negative zero", Fixed(math.Copysign(0, -1), 4), "-0.0000"},
		{".2f of 1 - 0.95", Fixed(1-0.95, 2), "0.05"},
		{".2f of 1 - 0.975", Fixed(1-0.975, 2), "0.03"},
		{".0% of 0.05", Percent0(0.05), "5%"},
		{".0% of 0.025", Percent0(0.025), "2%"},
		{".0% of 0.125", Percent0(0.125), "12%"},
		{".0% of 0.999", Percent0(0.999), "100%"},
		{".0% of nan", Percent0(math.NaN()), "nan%"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestQuote(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"temp", `'temp'`},          // repr('temp')
		{"", `''`},                  // repr('')
		{`a\b`, `'a\\b'`},           // repr('a\\b')
		{"it's", `"it's"`},          // repr("it's")
		{`say "hi"`, `'say "hi"'`},  // repr('say "hi"')
		{`it's "x"`, `'it\'s "x"'`}, // repr('it\'s "x"')
		{"Größe", `'Größe'`},        // repr('Größe')
	} {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
