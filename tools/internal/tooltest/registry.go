package tooltest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/toolq/toolq/errcode"
)

// Registry is the part of *tools.Registry that [RunRegistryCases] uses. L is
// tools.Limits, which this package cannot name (see the package comment);
// Go infers it from the argument.
type Registry[L any] interface {
	Validate(name string, input []byte, lim *L) (json.RawMessage, error)
	Execute(ctx context.Context, name string, input json.RawMessage) (json.RawMessage, error)
}

// RegistryCase is one call through the registry: the tool, its input, and
// either the error code expected or, when WantCode is "", some of the
// result's top-level values (as encoding/json decodes them into any).
type RegistryCase struct {
	Name     string
	Tool     string
	Input    string
	WantCode errcode.Code // "" for success
	WantOut  map[string]any
}

// RunRegistryCases runs each case, in parallel subtests named by Name, as a
// worker does: reg.Validate (size caps, null removal, schema, Check) with
// the default limits, then reg.Execute.
func RunRegistryCases[L any](t *testing.T, reg Registry[L], cases []RegistryCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			norm, err := reg.Validate(tc.Tool, []byte(tc.Input), nil)
			if err == nil {
				var out json.RawMessage
				out, err = reg.Execute(context.Background(), tc.Tool, norm)
				if err == nil && tc.WantCode == "" {
					var got map[string]any
					if err := json.Unmarshal(out, &got); err != nil {
						t.Fatal(err)
					}
					for k, want := range tc.WantOut {
						if got[k] != want {
							t.Errorf("%s = %v, want %v (result %s)", k, got[k], want, out)
						}
					}
					return
				}
			}
			if tc.WantCode == "" {
				t.Fatalf("unexpected error: %v", err)
			}
			var e *errcode.Error
			if !errors.As(err, &e) || e.Code != tc.WantCode {
				t.Fatalf("error %v, want code %s", err, tc.WantCode)
			}
		})
	}
}
