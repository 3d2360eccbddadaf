package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/toolq/toolq/internal/harness"
	"github.com/toolq/toolq/internal/redisserver"
)

// stack is everything the run starts: binaries built into bin, a Redis with
// an append-only file, and the worker processes, one per slot.
type stack struct {
	dir         string
	bin         string // directory of the built binaries
	redis       *redisserver.Server
	env         []string
	concurrency int

	mu      sync.Mutex
	slots   []*harness.Process
	started []int // the pid of every worker ever started, for the leak check
	gen     int
}

// startWorker starts a worker in slot i (replacing whatever was there) and
// waits until it serves.
func (s *stack) startWorker(i int) (*harness.Process, error) {
	s.mu.Lock()
	s.gen++
	gen := s.gen
	s.mu.Unlock()
	env := append(append([]string{}, s.env...),
		"TOOLQ_LOG_FORMAT=json",
		"TOOLQ_CONCURRENCY="+strconv.Itoa(s.concurrency),
		"TOOLQ_CHILD_BINARY="+filepath.Join(s.bin, "toolq-child"),
		"TOOLQ_SHUTDOWN_GRACE=15s",
	)
	p, err := harness.StartWorker(filepath.Join(s.bin, "worker"), env,
		filepath.Join(s.dir, "logs", fmt.Sprintf("worker%d-%03d.log", i, gen)))
	if p != nil {
		s.mu.Lock()
		for len(s.slots) <= i {
			s.slots = append(s.slots, nil)
		}
		s.slots[i] = p
		s.started = append(s.started, p.Pid())
		s.mu.Unlock()
	}
	return p, err
}

func (s *stack) worker(i int) *harness.Process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.slots[i]
}

// stopAll sends every worker SIGTERM and waits for each to exit.
func (s *stack) stopAll(timeout time.Duration) error {
	s.mu.Lock()
	ps := append([]*harness.Process(nil), s.slots...)
	s.mu.Unlock()
	var stuck []int
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, p := range ps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !p.Stop(timeout) {
				mu.Lock()
				stuck = append(stuck, p.Pid())
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(stuck) > 0 {
		return fmt.Errorf("workers %v did not stop within %s of SIGTERM", stuck, timeout)
	}
	return nil
}

// leftovers lists what outlived the workers: processes started from the
// run's binaries, and cgroups of any worker the run started.
func (s *stack) leftovers() (procs, cgroups []string) {
	s.mu.Lock()
	pids := append([]int(nil), s.started...)
	s.mu.Unlock()
	inst, calls := harness.Cgroups(pids)
	return harness.Processes(s.bin), append(inst, calls...)
}
