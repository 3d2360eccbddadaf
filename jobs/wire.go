package jobs

import (
	"encoding/json"
	"time"

	"github.com/toolq/toolq/errcode"
)

// Redis names. They are part of the contract: a backend in another language
// may read a job record with a plain GET and subscribe to DoneChannel.
const (
	// KeyPrefix prefixes job records: toolq:job:<id> holds the Envelope as
	// JSON, with the result retention as its TTL.
	KeyPrefix = "toolq:job:"
	// DoneChannel receives a job's id once its record is final.
	DoneChannel = "toolq:done"
	// CancelChannel receives the id of a job its caller cancelled, so that
	// the worker running it kills its sandbox.
	CancelChannel = "toolq:cancel"
	// TaskPrefix prefixes the asynq task type: "tool:<name>".
	TaskPrefix = "tool:"
	// DefaultQueue is the queue calls go to when none is named.
	DefaultQueue = "default"
)

// Key returns the Redis key of a job record.
func Key(id string) string { return KeyPrefix + id }

// State is where a job is in its life.
type State string

// States. Succeeded, Failed and Cancelled are final: the record is written
// final exactly once, by whoever gets there first.
const (
	Queued    State = "queued"
	Running   State = "running"
	Succeeded State = "succeeded"
	Failed    State = "failed"
	Cancelled State = "cancelled"
)

// Final reports whether s is a final state.
func (s State) Final() bool { return s == Succeeded || s == Failed || s == Cancelled }

// Call is the task payload: one validated tool call.
type Call struct {
	ID    string          `json:"id"`
	Tool  string          `json:"tool"`
	Input json.RawMessage `json:"input"`
	Queue string          `json:"queue"`
	// TimeoutMS and MemoryBytes are what the caller asked for; the worker
	// never grants more than its own maximum.
	TimeoutMS   int64 `json:"timeout_ms"`
	MemoryBytes int64 `json:"memory_bytes"`
	// ResultTTLMS is how long the record is kept once final; 0 leaves it
	// to the worker.
	ResultTTLMS int64     `json:"result_ttl_ms,omitempty"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// Usage is what a call consumed and under which enforcement.
type Usage struct {
	WallMS           float64 `json:"wall_ms"`
	CPUMS            float64 `json:"cpu_ms"`
	PeakMemoryBytes  int64   `json:"peak_memory_bytes"`
	MemoryLimitBytes int64   `json:"memory_limit_bytes"`
	TimeoutMS        int64   `json:"timeout_ms"`
	Enforcement      string  `json:"enforcement"`
}

// Envelope is a job's record and what Get and Wait return. Once State is
// final exactly one of Result and Error is set.
type Envelope struct {
	ID          string          `json:"id"`
	Tool        string          `json:"tool"`
	Queue       string          `json:"queue"`
	State       State           `json:"state"`
	Result      json.RawMessage `json:"result"`
	Error       *errcode.Error  `json:"error"`
	Usage       *Usage          `json:"usage"`
	Attempts    int             `json:"attempts"`
	Worker      string          `json:"worker,omitempty"`
	SubmittedAt *time.Time      `json:"submitted_at"`
	StartedAt   *time.Time      `json:"started_at"`
	FinishedAt  *time.Time      `json:"finished_at"`
}

// MarshalJSON writes "result": null rather than omitting it, so that every
// envelope has the same keys.
func (e Envelope) MarshalJSON() ([]byte, error) {
	type wire Envelope
	w := wire(e)
	if len(w.Result) == 0 {
		w.Result = json.RawMessage("null")
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads "result": null as no result.
func (e *Envelope) UnmarshalJSON(b []byte) error {
	type wire Envelope
	var w wire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if string(w.Result) == "null" {
		w.Result = nil
	}
	*e = Envelope(w)
	return nil
}

// Err returns the envelope's error as a Go error, or nil.
func (e *Envelope) Err() error {
	if e.Error == nil {
		return nil
	}
	return e.Error
}

func timePtr(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}
