// Package redistest gives each test package a private redis-server on a
// free loopback port, stopped when the test ends. Tests never use a server
// they did not start, so they can run beside a developer's own Redis and
// beside each other.
package redistest

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/toolq/toolq/internal/redisserver"
)

// Start runs a redis-server for t and returns it. It skips the test when
// redis-server is not installed, unless TOOLQ_REQUIRE_REDIS=1 (set by make
// test and CI), where a missing server is a failure.
func Start(t testing.TB) *redisserver.Server {
	t.Helper()
	s, err := redisserver.Start(context.Background(), t.TempDir())
	if err == redisserver.ErrNotInstalled && os.Getenv("TOOLQ_REQUIRE_REDIS") != "1" {
		t.Skip("redis-server is not installed")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Client returns a go-redis client for s, closed when the test ends.
func Client(t testing.TB, s *redisserver.Server) redis.UniversalClient {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { _ = c.Close() })
	return c
}
