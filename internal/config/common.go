package config

import (
	"time"

	"github.com/toolq/toolq/tools"
)

// MaxMiB bounds every size given in MiB (1 TiB), so that it cannot
// overflow when turned into bytes.
const MaxMiB = 1 << 20

// Common holds the settings both binaries read (DESIGN.md's defaults table).
type Common struct {
	RedisURL    *string
	Timeout     *time.Duration
	MemoryMB    *int
	MaxCells    *int
	MaxString   *int
	MaxDepth    *int
	ResultTTL   *time.Duration
	Diagnostics *bool
}

// BindCommon registers the shared settings on s.
func BindCommon(s *Set) *Common {
	return &Common{
		RedisURL:    s.String("redis", "TOOLQ_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL (redis://, rediss://, unix://, redis-sentinel://, redis-cluster://)", nil),
		Timeout:     s.Duration("timeout", "TOOLQ_TOOL_TIMEOUT", 10*time.Second, "per-call timeout; for a worker the most a call may ask for"),
		MemoryMB:    s.IntUpTo("memory-mb", "TOOLQ_MAX_MEMORY_MB", 1024, MaxMiB, "per-call memory limit in MiB; for a worker the most a call may ask for"),
		MaxCells:    s.Int("max-cells", "TOOLQ_MAX_CELLS", tools.DefaultMaxCells, "most numeric values (booleans count) in one input"),
		MaxString:   s.Int("max-string", "TOOLQ_MAX_STRING", tools.DefaultMaxString, "longest string in an input, in code points"),
		MaxDepth:    s.Int("max-depth", "TOOLQ_MAX_DEPTH", tools.DefaultMaxDepth, "deepest nesting in an input"),
		ResultTTL:   s.Duration("result-ttl", "TOOLQ_RESULT_TTL", 24*time.Hour, "how long results are kept in Redis"),
		Diagnostics: s.Bool("diagnostic-tools", "TOOLQ_DIAGNOSTIC_TOOLS", false, "register the diag_* tools (never on a production queue)"),
	}
}

// Limits returns the input size limits.
func (c *Common) Limits() *tools.Limits {
	return &tools.Limits{MaxCells: *c.MaxCells, MaxString: *c.MaxString, MaxDepth: *c.MaxDepth}
}

// Registry returns the tool registry the settings call for.
func (c *Common) Registry() *tools.Registry {
	if *c.Diagnostics {
		return tools.WithDiagnostics()
	}
	return tools.Standard()
}
