// Package redisserver starts a private redis-server for tests, benchmarks
// and the demo: on a free loopback port, in a directory of its own, never
// persisting, killed by pid when stopped. It never touches a server it did
// not start.
package redisserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a running redis-server.
type Server struct {
	Addr string // host:port
	Dir  string
	cmd  *exec.Cmd
	done chan struct{}
	log  *bytes.Buffer
}

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// ErrNotInstalled is returned when redis-server is not on PATH.
var ErrNotInstalled = errors.New("redisserver: redis-server is not installed")

// Start runs redis-server in dir (which must exist) on a free port of
// 127.0.0.1. The port is picked by binding port 0 and releasing it, so
// another process may take it first; Start then tries again with a new one.
func Start(ctx context.Context, dir string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNotInstalled
	}
	var last error
	for try := 0; try < 5; try++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := start(ctx, bin, dir, port)
		if err == nil {
			return s, nil
		}
		last = err
	}
	return nil, last
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func start(ctx context.Context, bin, dir string, port int) (*Server, error) {
	log := &bytes.Buffer{}
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", dir,
		"--save", "",
		"--appendonly", "no",
		"--maxmemory-policy", "noeviction",
		"--daemonize", "no",
		"--logfile", "",
	)
	cmd.Dir = dir
	cmd.Stdout = log
	cmd.Stderr = log
	// Die with whoever started it, and keep out of the caller's process
	// group so a terminal's ^C reaches only the caller.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Dir: dir, cmd: cmd, done: make(chan struct{}), log: log}
	go func() { _ = cmd.Wait(); close(s.done) }()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("redisserver: redis-server on port %d exited: %s", port, log.String())
		default:
		}
		if err := rdb.Ping(ctx).Err(); err == nil {
			return s, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			s.Stop()
			return nil, fmt.Errorf("redisserver: redis-server on port %d did not answer: %s", port, log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop kills the server and waits for it. It is safe to call twice.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	<-s.done
}

// Log returns what the server printed.
func (s *Server) Log() string { return s.log.String() }

// TempDir makes a directory for a server under the system temp directory.
func TempDir() (string, error) {
	return os.MkdirTemp("", "toolq-redis-")
}
