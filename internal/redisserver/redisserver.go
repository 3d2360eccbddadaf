// Package redisserver starts a private redis-server for tests, benchmarks,
// the demo and the chaos run: on a free loopback port, in a directory of its
// own, killed by pid when stopped. By default it persists nothing; the chaos
// run asks for an append-only file so that a restart keeps what was written.
// It never touches a server it did not start.
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
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a running redis-server.
type Server struct {
	Addr string // host:port
	Dir  string
	opts Options
	bin  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
	log  *lockedBuffer
}

// Options change how the server runs. The zero value persists nothing.
type Options struct {
	// AppendOnly turns on the append-only file with appendfsync everysec,
	// the setting production deployments use: a graceful restart loses
	// nothing, a crash at most the last second of writes.
	AppendOnly bool
}

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// ErrNotInstalled is returned when redis-server is not on PATH.
var ErrNotInstalled = errors.New("redisserver: redis-server is not installed")

// Start runs redis-server in dir (which must exist) on a free port of
// 127.0.0.1. The port is picked by binding port 0 and releasing it, so
// another process may take it first; Start then tries again with a new one.
func Start(ctx context.Context, dir string) (*Server, error) {
	return StartWith(ctx, dir, Options{})
}

// StartWith is Start with options.
func StartWith(ctx context.Context, dir string, opts Options) (*Server, error) {
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
		s, err := start(ctx, bin, dir, port, opts)
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

func start(ctx context.Context, bin, dir string, port int, opts Options) (*Server, error) {
	log := &lockedBuffer{}
	aof := []string{"--appendonly", "no"}
	if opts.AppendOnly {
		aof = []string{"--appendonly", "yes", "--appendfsync", "everysec"}
	}
	cmd := exec.Command(bin, append([]string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", dir,
		"--save", "",
		"--maxmemory-policy", "noeviction",
		"--daemonize", "no",
		"--logfile", "",
	}, aof...)...)
	cmd.Dir = dir
	cmd.Stdout = log
	cmd.Stderr = log
	// Die with whoever started it, and keep out of the caller's process
	// group so a terminal's ^C reaches only the caller.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Dir: dir, opts: opts, bin: bin, port: port, cmd: cmd, done: make(chan struct{}), log: log}
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

// Restart stops the server the way an operator's restart does (SIGTERM:
// with an append-only file, Redis flushes it before exiting) and starts it
// again on the same port and directory after down has passed. The Server then
// describes the new process; clients reconnect on their own. It must not run
// beside Stop.
func (s *Server) Restart(ctx context.Context, down time.Duration) error {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.Stop()
	}
	time.Sleep(down)
	// The port was ours a moment ago; another process taking it in between
	// is unlikely but possible, so try a few times before giving up.
	var last error
	for try := 0; try < 20; try++ {
		n, err := start(ctx, s.bin, s.Dir, s.port, s.opts)
		if err == nil {
			s.cmd, s.done, s.log = n.cmd, n.done, n.log
			return nil
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return last
}

// Log returns what the server printed.
func (s *Server) Log() string { return s.log.String() }

// lockedBuffer is the server's output, written by exec's copying goroutine
// and read by Log.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TempDir makes a directory for a server under the system temp directory.
func TempDir() (string, error) {
	return os.MkdirTemp("", "toolq-redis-")
}
