package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestEnvAndFlags(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"T_TIMEOUT": "2.5", "T_MEM": "512", "T_DIAG": "yes", "T_URL": "redis://x:1/0",
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	s := New(fs).WithEnv(func(k string) string { return env[k] })
	timeout := s.Duration("timeout", "T_TIMEOUT", 10*time.Second, "")
	mem := s.Int("memory-mb", "T_MEM", 1024, "")
	diag := s.Bool("diag", "T_DIAG", false, "")
	url := s.String("redis", "T_URL", "redis://127.0.0.1:6379/0", "", nil)
	if err := fs.Parse([]string{"--memory-mb", "256"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if *timeout != 2500*time.Millisecond || *mem != 256 || !*diag || *url != "redis://x:1/0" {
		t.Fatalf("got %v %v %v %v", *timeout, *mem, *diag, *url)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ env, val string }{
		{"TOOLQ_TOOL_TIMEOUT", "0"},
		{"TOOLQ_TOOL_TIMEOUT", "-1s"},
		{"TOOLQ_TOOL_TIMEOUT", "soon"},
		{"TOOLQ_MAX_MEMORY_MB", "0"},
		{"TOOLQ_MAX_MEMORY_MB", "1.5"},
		{"TOOLQ_DIAGNOSTIC_TOOLS", "treu"},
		{"TOOLQ_MAX_MEMORY_MB", "8796093022208"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		s := New(fs).WithEnv(func(k string) string {
			if k == tc.env {
				return tc.val
			}
			return ""
		})
		s.Duration("timeout", "TOOLQ_TOOL_TIMEOUT", time.Second, "")
		s.IntUpTo("memory-mb", "TOOLQ_MAX_MEMORY_MB", 1, MaxMiB, "")
		s.Bool("diag", "TOOLQ_DIAGNOSTIC_TOOLS", false, "")
		err := s.Err()
		if err == nil || !strings.Contains(err.Error(), tc.env) {
			t.Errorf("%s=%q: error %v does not name the variable", tc.env, tc.val, err)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	New(fs).Int("memory-mb", "X", 1, "")
	if err := fs.Parse([]string{"--memory-mb=-3"}); err == nil || !strings.Contains(err.Error(), "memory-mb") {
		t.Errorf("flag error %v does not name the flag", err)
	}
}

func TestParseQueues(t *testing.T) {
	t.Parallel()
	q, err := ParseQueues("critical=6, default=3,low")
	if err != nil || q["critical"] != 6 || q["default"] != 3 || q["low"] != 1 {
		t.Fatalf("%v %v", q, err)
	}
	for _, bad := range []string{"", "a=0", "=2", "a=x"} {
		if _, err := ParseQueues(bad); err == nil {
			t.Errorf("ParseQueues(%q) accepted", bad)
		}
	}
}
