package sandbox

import (
	"bytes"
	"strings"
	"testing"
)

func TestCaptureStopsAtItsCap(t *testing.T) {
	t.Parallel()
	overflows := 0
	c := &capture{max: 1000, onOverflow: func() { overflows++ }}
	chunk := bytes.Repeat([]byte("y"), 4096)
	for i := 0; i < 16<<10; i++ { // 64 MiB
		c.write(chunk)
	}
	if len(c.buf) != 1000 || cap(c.buf) > 4096 || overflows != 1 || !c.overflowed() {
		t.Fatalf("len %d cap %d overflows %d", len(c.buf), cap(c.buf), overflows)
	}
}

func TestHeadTail(t *testing.T) {
	t.Parallel()
	h := newHeadTail(20)
	for _, s := range []string{"0123456789", "abcdefghij", "klmnopqrst", "uvwxyz"} {
		h.write([]byte(s))
	}
	got := string(h.bytes())
	if !strings.HasPrefix(got, "0123456789") || !strings.HasSuffix(got, "qrstuvwxyz") || !strings.Contains(got, "omitting 16 bytes") {
		t.Fatalf("got %q", got)
	}
	small := newHeadTail(100)
	small.write([]byte("short"))
	if got := string(small.bytes()); got != "short" {
		t.Fatalf("got %q", got)
	}
}
