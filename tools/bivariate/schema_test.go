package bivariate

import (
	"slices"
	"strings"
	"testing"

	"github.com/toolq/toolq/tools/internal/tooltest"
)

func TestDefs(t *testing.T) {
	t.Parallel()
	var names []string
	for _, d := range Defs() {
		names = append(names, d.Name)
		if d.Category != "bivariate" || d.Run == nil || d.Check == nil || len(d.Schema) == 0 {
			t.Errorf("%s: incomplete definition", d.Name)
		}
		for _, must := range []string{"more than 10", "50000", "as given", "Differences from the original tool"} {
			if !strings.Contains(d.Description, must) {
				t.Errorf("%s: description does not mention %q", d.Name, must)
			}
		}
	}
	if !slices.Equal(names, []string{"find_elbow"}) {
		t.Fatalf("Defs() names = %v, want [find_elbow]", names)
	}
}

func TestSchema(t *testing.T) {
	t.Parallel()
	rs := tooltest.Compile(t, "find_elbow", findElbowDef().Schema)
	const eleven = `[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]`
	for in, ok := range map[string]bool{
		`{"x": ` + eleven + `, "y": ` + eleven + `}`:                        true,
		`{"x": ` + eleven + `, "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null]}`: true,
		`{"x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "y": ` + eleven + `}`:       false, // the seed's minimum of 6, raised
		`{"x": ` + eleven + `}`:                                             false,
		`{"x": ` + eleven + `, "y": ` + eleven + `, "extra": 1}`:            false,
		`{"x": ` + eleven + `, "y": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, true]}`: false,
		`{"x": [[1], 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "y": ` + eleven + `}`: false,
	} {
		if err := tooltest.Validate(t, rs, in); (err == nil) != ok {
			t.Errorf("%s: valid = %v, want %v (%v)", in, err == nil, ok, err)
		}
	}
}
