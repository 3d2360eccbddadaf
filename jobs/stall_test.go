package jobs

import (
	"testing"
	"time"
)

func TestStallClock(t *testing.T) {
	now := time.Unix(1000, 0)
	c := &stallClock{now: func() time.Time { return now }}
	if c.stalled() != 0 {
		t.Fatal("stalled before the first tick")
	}
	c.tick()
	for range 20 { // regular ticks, a little late: not a stall
		now = now.Add(stallTick + 50*time.Millisecond)
		c.tick()
	}
	if c.stalled() != 0 {
		t.Fatalf("late ticks counted as a stall: %s", c.stalled())
	}
	now = now.Add(5 * time.Second) // frozen; nothing ticked yet
	if got, want := c.stalled(), 5*time.Second-stallTick; got != want {
		t.Fatalf("open stall: got %s, want %s", got, want)
	}
	c.tick()
	now = now.Add(stallTick)
	c.tick()
	if got, want := c.stalled(), 5*time.Second-stallTick; got != want {
		t.Fatalf("closed stall: got %s, want %s", got, want)
	}
}
