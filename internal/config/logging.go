package config

import (
	"fmt"
	"io"
	"log/slog"
)

// Logging holds the log settings of the long-running binaries (the worker
// and the gateway), so that both read TOOLQ_LOG_LEVEL and TOOLQ_LOG_FORMAT
// the same way.
type Logging struct {
	Level  *string
	Format *string
}

// BindLogging registers the log settings on s.
func BindLogging(s *Set) *Logging {
	return &Logging{
		Level: s.String("log-level", "TOOLQ_LOG_LEVEL", "info", "debug, info, warn or error", func(v string) error {
			var l slog.Level
			return l.UnmarshalText([]byte(v))
		}),
		Format: s.String("log-format", "TOOLQ_LOG_FORMAT", "text", "text or json", func(v string) error {
			if v != "text" && v != "json" {
				return fmt.Errorf("must be one of text, json")
			}
			return nil
		}),
	}
}

// Logger returns a logger writing to w at the configured level and format
// (values already checked when the settings were parsed).
func (l *Logging) Logger(w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(*l.Level))
	opts := &slog.HandlerOptions{Level: lvl}
	if *l.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
