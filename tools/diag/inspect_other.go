//go:build !linux

package diag

import (
	"context"
	"encoding/json"

	"github.com/toolq/toolq/tools/tool"
)

func inspect(context.Context, json.RawMessage) (any, error) {
	return nil, tool.Errorf("diag_inspect is only implemented on Linux")
}
