package batch_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/toolq/toolq/errcode"
	"github.com/toolq/toolq/tools"
)

// TestThroughRegistry runs the tool through the real registry, as a worker
// does: size caps, null removal, schema, Check, Execute.
func TestThroughRegistry(t *testing.T) {
	t.Parallel()
	reg := tools.Standard()
	names := reg.Names()
	if len(names) == 0 || names[len(names)-1] != "extract_batch_features" {
		t.Fatalf("extract_batch_features is not last in the registry: %v", names)
	}
	for _, tc := range []struct {
		name, input string
		code        errcode.Code
		want        string
	}{
		{"nulls mean defaults", `{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 3}], "value_columns": ["y"], "features": null, "time_column": null}`,
			"", `{"feature_matrix":[{"batch":"a","__phase_grouper__":"NoPhases","y_mean":2.0,"y_std":1.4142135623730951}],"n_batches":1,"n_features":2,"features_extracted":["mean","std"]}`},
		{"area needs a time column", `{"data": [{"batch": "a", "y": 1}, {"batch": "a", "y": 3}], "value_columns": ["y"], "features": ["area"]}`, errcode.InputInvalid, ""},
		{"nested value", `{"data": [{"batch": "a", "y": {"v": 1}}, {"batch": "a", "y": 3}], "value_columns": ["y"]}`, errcode.InputInvalid, ""},
		{"one row", `{"data": [{"batch": "a", "y": 1}], "value_columns": ["y"]}`, errcode.InputInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			norm, err := reg.Validate("extract_batch_features", []byte(tc.input), nil)
			if err == nil {
				var out json.RawMessage
				if out, err = reg.Execute(context.Background(), "extract_batch_features", norm); err == nil {
					if tc.code != "" || string(out) != tc.want {
						t.Fatalf("got %s, want %s%s", out, tc.code, tc.want)
					}
					return
				}
			}
			if errcode.Of(err) != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
		})
	}
}
