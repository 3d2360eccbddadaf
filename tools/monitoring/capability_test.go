package monitoring

import (
	"math"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/internal/stats"
	"github.com/toolq/toolq/tools/internal/tooltest"
)

var cpkValues = []float64{10.1, 10.2, 9.9, 10.0, 10.05, 9.95, 10.12, 9.88}

// TestCapabilityGoldens checks seed-spec §6.3.
func TestCapabilityGoldens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		input  map[string]any
		cpk    float64
		interp string
		lo, hi string
	}{
		{"robust", map[string]any{"values": cpkValues, "lower_spec": 9.5, "upper_spec": 10.5},
			1.3210263735267465, "Cpk = 1.321. Marginal capability — process barely fits within spec limits.", "9.5", "10.5"},
		{"classical", map[string]any{"values": cpkValues, "lower_spec": 9.5, "upper_spec": 10.5, "robust": false},
			1.4057720103007312, "Cpk = 1.406. Good capability — process fits within spec limits.", "9.5", "10.5"},
		{"upper only, classical", map[string]any{"values": cpkValues, "upper_spec": 10.5, "robust": false},
			1.4057720103007312, "Cpk = 1.406. Good capability — process fits within spec limits.", "null", "10.5"},
		{"no specs", map[string]any{"values": cpkValues},
			math.NaN(), "Cpk cannot be computed: give lower_spec, upper_spec or both.", "null", "null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, "process_capability", tc.input)
			if got := r.Num(t, "cpk"); !near(got, tc.cpk, 1e-9) {
				t.Errorf("cpk = %.17g, want %.17g", got, tc.cpk)
			}
			if got := r.Str(t, "interpretation"); got != tc.interp {
				t.Errorf("interpretation %q, want %q", got, tc.interp)
			}
			if r.Raw("lower_spec") != tc.lo || r.Raw("upper_spec") != tc.hi || r.Raw("n") != "8" {
				t.Errorf("echo %s", r)
			}
			robust, _ := tc.input["robust"].(bool)
			if _, given := tc.input["robust"]; !given {
				robust = true
			}
			if want := map[bool]string{true: "true", false: "false"}[robust]; r.Raw("robust") != want {
				t.Errorf("robust = %s, want %s", r.Raw("robust"), want)
			}
		})
	}
}

// TestCapabilityShiftedProcess is the seed's test: with an upper limit
// only, the classical Cpk is (USL − mean)/(3·SD).
func TestCapabilityShiftedProcess(t *testing.T) {
	t.Parallel()
	x := uniform(3, 50, 52, 56)
	r := call(t, "process_capability", map[string]any{"values": x, "upper_spec": 60, "robust": false})
	want := (60 - stats.NanMean(x)) / (3 * stats.NanStd(x, 1))
	if got := r.Num(t, "cpk"); !near(got, want, 1e-12) {
		t.Errorf("cpk = %v, want %v", got, want)
	}
	if r.Raw("upper_spec") != "60" {
		t.Errorf("upper_spec echoed as %s, want the integer 60", r.Raw("upper_spec"))
	}
}

// TestCapabilityProperties: Cpk is unchanged by a shift or rescaling of
// values and limits together, halves when the spread doubles about a fixed
// centre, and takes the nearer limit.
func TestCapabilityProperties(t *testing.T) {
	t.Parallel()
	x := uniform(4, 40, 9.8, 10.2)
	for _, robust := range []bool{true, false} {
		base := call(t, "process_capability", map[string]any{"values": x, "lower_spec": 9, "upper_spec": 11.5, "robust": robust}).Num(t, "cpk")
		lowerOnly := call(t, "process_capability", map[string]any{"values": x, "lower_spec": 9, "robust": robust}).Num(t, "cpk")
		if base != lowerOnly {
			t.Errorf("robust=%v: Cpk %v, want the nearer (lower) side's %v", robust, base, lowerOnly)
		}
		// Affine map v ↦ 8v − 3 (limits too).
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = 8*v - 3
		}
		if got := call(t, "process_capability", map[string]any{"values": y, "lower_spec": 8*9 - 3, "upper_spec": 8*11.5 - 3, "robust": robust}).Num(t, "cpk"); !near(got, base, 1e-9) {
			t.Errorf("robust=%v: affine map changed Cpk from %v to %v", robust, base, got)
		}
		// Doubling every deviation from the centre 10 halves a symmetric
		// process's Cpk.
		z := make([]float64, len(x))
		for i, v := range x {
			z[i] = 10 + 2*(v-10)
		}
		center := 10.0
		if robust {
			center = stats.NanMedian(x)
		} else {
			center = stats.NanMean(x)
		}
		lo, hi := center-1.5, center+1.5
		c1 := call(t, "process_capability", map[string]any{"values": x, "lower_spec": lo, "upper_spec": hi, "robust": robust}).Num(t, "cpk")
		wide := make([]float64, len(x))
		for i, v := range x {
			wide[i] = center + 2*(v-center)
		}
		c2 := call(t, "process_capability", map[string]any{"values": wide, "lower_spec": lo, "upper_spec": hi, "robust": robust}).Num(t, "cpk")
		if !near(c2, c1/2, 1e-9) {
			t.Errorf("robust=%v: doubling the spread gives Cpk %v, want %v/2", robust, c2, c1)
		}
		_ = z
	}
}

// TestCapabilityEdges: undefined and infinite Cpk values and the verdict
// thresholds.
func TestCapabilityEdges(t *testing.T) {
	t.Parallel()
	r := call(t, "process_capability", `{"values": [10, 10, 10, 10, 10], "lower_spec": 9, "upper_spec": 12}`)
	if r.Raw("cpk") != "null" || r.Str(t, "interpretation") != "Cpk = inf. Excellent capability — process is well within spec limits." {
		t.Errorf("zero spread inside the limits: %s", r)
	}
	r = call(t, "process_capability", `{"values": [10, 10, 10, 10, 10], "upper_spec": 10}`)
	if r.Raw("cpk") != "null" || r.Str(t, "interpretation") != "Cpk is undefined: the values do not vary and sit on the specification limit." {
		t.Errorf("zero spread on the limit: %s", r)
	}
	r = call(t, "process_capability", `{"values": [1, 2, null, 3, 4, 5], "lower_spec": 3.5, "robust": false}`)
	if r.Num(t, "cpk") >= 0 || r.Raw("n") != "6" || r.Raw("lower_spec") != "3.5" {
		t.Errorf("centre below the lower limit: %s", r)
	}
	for _, tc := range []struct {
		cpk  float64
		want string
	}{
		{1.67, "Cpk = 1.670. Excellent capability — process is well within spec limits."},
		{1.6699, "Cpk = 1.670. Good capability — process fits within spec limits."},
		{1.33, "Cpk = 1.330. Good capability — process fits within spec limits."},
		{1.0, "Cpk = 1.000. Marginal capability — process barely fits within spec limits."},
		{0.9999, "Cpk = 1.000. Poor capability — process is producing out-of-spec output."},
		{math.Inf(-1), "Cpk = -inf. Poor capability — process is producing out-of-spec output."},
	} {
		if got := interpretCpk(tc.cpk, true); got != tc.want {
			t.Errorf("interpretCpk(%v) = %q, want %q", tc.cpk, got, tc.want)
		}
	}
}

func TestCapabilityErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		input string
		code  errcode.Code
	}{
		{"limits reversed", `{"values": [1, 2, 3, 4, 5], "lower_spec": 5, "upper_spec": 1}`, errcode.InputInvalid},
		{"limits equal", `{"values": [1, 2, 3, 4, 5], "lower_spec": 3, "upper_spec": 3}`, errcode.InputInvalid},
		{"robust not a boolean", `{"values": [1, 2, 3, 4, 5], "robust": "yes"}`, errcode.InputInvalid},
		{"unknown key", `{"values": [1, 2, 3, 4, 5], "trim": 2.5}`, errcode.InputInvalid},
		{"all missing", `{"values": [null, null, null, null, null], "lower_spec": 1}`, errcode.ToolError},
		{"one value", `{"values": [null, null, 2, null, null], "lower_spec": 1}`, errcode.ToolError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := try(t, "process_capability", tc.input)
			tooltest.WantCode(t, err, tc.code)
		})
	}
	// Limits beyond the float range stay infinite rather than vanish.
	r := call(t, "process_capability", `{"values": [1, 2, 3, 4, 5], "lower_spec": -1e400}`)
	if r.Raw("lower_spec") != "null" || r.Raw("cpk") != "null" {
		t.Errorf("infinite limit: %s", r)
	}
}
