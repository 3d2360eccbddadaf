package experiments

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools/tool"
)

// Fuzz tests: inputs built from fuzz bytes go through Check and, when
// accepted, Run; nothing may panic and every refusal is a typed error.

// fuzzBytes hands out bytes, zeros once they run out.
type fuzzBytes []byte

func (b *fuzzBytes) next() int {
	if len(*b) == 0 {
		return 0
	}
	v := int((*b)[0])
	*b = (*b)[1:]
	return v
}

func fuzzRunTool(t *testing.T, def *tool.Def, input string) {
	if err := def.Check(json.RawMessage(input)); err != nil {
		if c := errcode.Of(err); c != errcode.InputInvalid && c != errcode.InputTooLarge {
			t.Fatalf("Check on %s: %v (code %q)", input, err, c)
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	v, err := def.Run(ctx, json.RawMessage(input))
	if err != nil {
		if !errcode.Of(err).Known() && ctx.Err() == nil {
			t.Fatalf("Run on %s: untyped error %v", input, err)
		}
		return
	}
	if _, err := tool.Marshal(v); err != nil {
		t.Fatalf("Run on %s: result does not encode: %v", input, err)
	}
}

var fuzzDesignTypes = []string{"", "full_factorial", "fractional_factorial", "plackett_burman", "box_behnken", "ccd", "dsd",
	"d_optimal", "i_optimal", "a_optimal", "mixture", "taguchi"}

func FuzzGenerateDesign(f *testing.F) {
	for _, s := range []string{"", "\x02\x05\x00", "\x05\x02\x03\x01\x00", "\x03\x07\x10\x02\x01\x02", "\x0e\x0b\x00\x00\x05", "\x04\x0a\x30\x01\x01\x09"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := fuzzBytes(data)
		k := 1 + b.next()%8
		dt := fuzzDesignTypes[b.next()%len(fuzzDesignTypes)]
		var parts []string
		for i := range k {
			switch b.next() % 5 {
			case 0:
				parts = append(parts, fmt.Sprintf(`{"name": "f%d", "type": "mixture"}`, i))
			case 1:
				parts = append(parts, fmt.Sprintf(`{"name": "f%d", "type": "categorical", "levels": [%s]}`, i, levelList(2+b.next()%6)))
			case 2:
				parts = append(parts, fmt.Sprintf(`{"name": "f%d", "low": %d, "high": %d}`, i, b.next()-128, b.next()-128))
			default:
				parts = append(parts, fmt.Sprintf(`{"name": "f%d", "low": -1, "high": 1}`, i))
			}
		}
		in := `{"factors": [` + strings.Join(parts, ", ") + `]`
		if dt != "" {
			in += fmt.Sprintf(`, "design_type": %q`, dt)
		}
		if v := b.next(); v%2 == 1 {
			in += fmt.Sprintf(`, "budget": %d`, 1+v%64)
		}
		in += fmt.Sprintf(`, "center_points": %d, "replicates": %d, "random_seed": %d`, b.next()%6, 1+b.next()%3, b.next())
		if v := b.next(); v%3 == 1 {
			in += fmt.Sprintf(`, "resolution": %d`, 3+v%3)
		}
		switch b.next() % 5 {
		case 1:
			in += `, "alpha": "rotatable"`
		case 2:
			in += `, "alpha": "face_centered"`
		case 3:
			in += fmt.Sprintf(`, "alpha": %v`, float64(b.next())/50)
		}
		fuzzRunTool(t, generateDesignDef(), in+"}")
	})
}

func levelList(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"L%d"`, i)
	}
	return strings.Join(parts, ", ")
}

// fuzzMatrix builds 2 to 17 runs of 1 to 5 factors with values from a small
// set that makes singular and repeated designs likely.
func fuzzMatrix(b *fuzzBytes) string {
	k := 1 + b.next()%5
	n := 2 + b.next()%16
	values := []string{"-1", "0", "1", "0.5", "-1.0", "2", "1e-12", "100"}
	var rows []string
	for range n {
		var kv []string
		for j := range k {
			kv = append(kv, fmt.Sprintf(`"%c": %s`, 'A'+j, values[b.next()%len(values)]))
		}
		rows = append(rows, "{"+strings.Join(kv, ", ")+"}")
	}
	return "[" + strings.Join(rows, ", ") + "]"
}

func FuzzEvaluateDesign(f *testing.F) {
	for _, s := range []string{"", "\x02\x03\x01\x02\x00\x02", "\x01\x07\x00\x02\x02\x02\x00\x00\xff\x03", "\x04\x0f\x05\x06\x07"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := fuzzBytes(data)
		dm := fuzzMatrix(&b)
		var metrics []string
		mask := b.next() | b.next()<<8
		for i, m := range evalMetricNames {
			if mask>>i&1 == 1 {
				metrics = append(metrics, fmt.Sprintf("%q", m))
			}
		}
		if metrics == nil {
			metrics = []string{`"d_efficiency"`}
		}
		model := []string{"main_effects", "interactions", "quadratic"}[b.next()%3]
		in := fmt.Sprintf(`{"design_matrix": %s, "metric": [%s], "model": %q`, dm, strings.Join(metrics, ", "), model)
		if v := b.next(); v%2 == 1 {
			in += fmt.Sprintf(`, "effect_size": %v`, float64(v)/10)
		}
		if b.next()%2 == 1 {
			in += `, "generators": ["C=AB", "D=-ABC"]`
		}
		fuzzRunTool(t, evaluateDesignDef(), in+"}")
	})
}

func FuzzAugmentDesign(f *testing.F) {
	for _, s := range []string{"", "\x02\x03\x01\x02\x00\x02\x01", "\x01\x07\x00\x02\x02\x02\x00\x04\x05", "\x04\x0f\x05\x06\x07\x06"} {
		f.Add([]byte(s))
	}
	kinds := []string{"foldover", "semifold", "add_center_points", "add_axial_points", "add_runs_optimal", "upgrade_to_rsm", "add_blocks", "replicate"}
	f.Fuzz(func(t *testing.T, data []byte) {
		b := fuzzBytes(data)
		dm := fuzzMatrix(&b)
		in := fmt.Sprintf(`{"existing_design": %s, "augmentation_type": %q`, dm, kinds[b.next()%len(kinds)])
		if v := b.next(); v%2 == 1 {
			in += fmt.Sprintf(`, "n_additional_runs": %d`, 1+v%8)
		}
		switch b.next() % 4 {
		case 1:
			in += `, "alpha": "orthogonal"`
		case 2:
			in += fmt.Sprintf(`, "alpha": %v`, float64(b.next())/40)
		}
		if b.next()%2 == 1 {
			in += `, "generators": ["C=AB"]`
		}
		if v := b.next(); v%3 == 1 {
			in += fmt.Sprintf(`, "fold_on": "%c"`, 'A'+v%6)
		}
		in += fmt.Sprintf(`, "target_model": %q`, []string{"main_effects", "interactions", "quadratic"}[b.next()%3])
		fuzzRunTool(t, augmentDesignDef(), in+"}")
	})
}
