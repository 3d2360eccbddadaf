package jobs

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"
)

// NewRedisClient connects to Redis as a URL says:
//
//	redis://[user:password@]host:port[/db]          a single server (rediss:// for TLS)
//	unix:///path/to/redis.sock[?db=N]               a single server on a Unix socket
//	redis-sentinel://[:password@]h1:p1,h2:p2[/db]?master=NAME
//	                                                a Sentinel-managed primary
//	redis-cluster://[:password@]h1:p1,h2:p2         a Redis Cluster
//
// asynq keeps each queue in one hash slot, so on a cluster spread load over
// several queues.
func NewRedisClient(rawURL string) (redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("jobs: redis URL: %w", err)
	}
	switch u.Scheme {
	case "redis", "rediss", "unix":
		opts, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("jobs: redis URL: %w", err)
		}
		return redis.NewClient(opts), nil
	case "redis-sentinel", "redis-cluster":
		addrs := strings.Split(u.Host, ",")
		if len(addrs) == 0 || addrs[0] == "" {
			return nil, fmt.Errorf("jobs: redis URL %q names no hosts", redact(u))
		}
		password, _ := u.User.Password()
		if u.Scheme == "redis-cluster" {
			return redis.NewClusterClient(&redis.ClusterOptions{
				Addrs: addrs, Username: u.User.Username(), Password: password,
			}), nil
		}
		master := u.Query().Get("master")
		if master == "" {
			return nil, fmt.Errorf("jobs: redis URL %q needs ?master=NAME", redact(u))
		}
		db := 0
		if p := strings.Trim(u.Path, "/"); p != "" {
			if db, err = strconv.Atoi(p); err != nil {
				return nil, fmt.Errorf("jobs: redis URL %q: bad database %q", redact(u), p)
			}
		}
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: master, SentinelAddrs: addrs,
			Username: u.User.Username(), Password: password,
			SentinelPassword: u.Query().Get("sentinel_password"),
			DB:               db,
		}), nil
	}
	return nil, fmt.Errorf("jobs: redis URL %q: unknown scheme %q", redact(u), u.Scheme)
}

func redact(u *url.URL) string { return u.Redacted() }
