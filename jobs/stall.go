package jobs

import (
	"context"
	"sync"
	"time"
)

// A worker can stop running while its children go on: SIGSTOP, a paused
// VM, a host that stops scheduling it. The children's deadlines keep
// counting on the monotonic clock, so a call can time out with nobody
// there to read its output, and the timeout is the worker's doing, not the
// call's. stallClock notices such gaps: a goroutine ticks every
// stallTick, and any gap between ticks longer than stallThreshold counts as
// time the worker was not running.
const (
	stallTick      = 100 * time.Millisecond
	stallThreshold = 2 * time.Second
)

type stallClock struct {
	now func() time.Time // time.Now; replaced in tests

	mu    sync.Mutex
	last  time.Time     // the last tick; zero until run starts
	total time.Duration // stalled time seen so far
}

// run ticks until ctx is done.
func (c *stallClock) run(ctx context.Context) {
	t := time.NewTicker(stallTick)
	defer t.Stop()
	c.tick()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.tick()
		}
	}
}

func (c *stallClock) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (c *stallClock) tick() {
	now := c.clock()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total += c.gap(now)
	c.last = now
}

// gap is the stall since the last tick as of now; c.mu is held.
func (c *stallClock) gap(now time.Time) time.Duration {
	if c.last.IsZero() {
		return 0
	}
	if g := now.Sub(c.last); g > stallThreshold {
		return g - stallTick
	}
	return 0
}

// stalled is the time the worker has not been running, up to now. It
// counts a stall still open: right after the worker resumes, the code
// deciding a verdict can run before the ticking goroutine does.
func (c *stallClock) stalled() time.Duration {
	now := c.clock()
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total + c.gap(now)
}
