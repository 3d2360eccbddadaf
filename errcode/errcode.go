// Package errcode defines the one error shape every toolq failure takes:
// a stable code, a human message and structured details.
//
// It is the wire format of a failed call ({"error", "message", "details"},
// compatible with the seed's to_dict()) and, at the same time, the Go error
// that tools, the job handler and the client return. It sits below every other
// package so that tools (which produce input errors) and jobs (which produce
// timeouts and cancellations) share one type without importing each other.
package errcode

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Code names a class of failure. The string is the wire value, so adding a
// code needs no String method to keep in step.
type Code string

// The codes a caller can see. DESIGN.md's error contract lists when each is used.
const (
	InputInvalid   Code = "input_invalid"    // not an object, schema violation, unknown key, bad value
	InputTooLarge  Code = "input_too_large"  // cells, string length, depth or a scalar cap exceeded
	UnknownTool    Code = "unknown_tool"     // no tool of that name is registered
	Timeout        Code = "timeout"          // the call's deadline passed; its process tree was killed
	MemoryExceeded Code = "memory_exceeded"  // the call hit its own memory limit
	ToolError      Code = "tool_error"       // the tool refused its input at run time
	ToolCrashed    Code = "tool_crashed"     // the child died any other way
	OutputTooLarge Code = "output_too_large" // the result exceeded the output cap
	Cancelled      Code = "cancelled"        // the caller cancelled the call
	Internal       Code = "internal"         // infrastructure failed; retried before it becomes final
)

// Codes lists every code in the order of the contract table.
var Codes = []Code{
	InputInvalid, InputTooLarge, UnknownTool, Timeout, MemoryExceeded,
	ToolError, ToolCrashed, OutputTooLarge, Cancelled, Internal,
}

// Known reports whether c is one of the codes above.
func (c Code) Known() bool {
	for _, k := range Codes {
		if c == k {
			return true
		}
	}
	return false
}

// Retryable reports whether the queue should run a call again after this
// failure. Only infrastructure failures are worth another attempt: bad input,
// a crash or a blown limit would fail the same way again.
func (c Code) Retryable() bool { return c == Internal }

// Error is a typed failure. Its JSON form is the error object of the result
// envelope.
type Error struct {
	Code    Code           `json:"error"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`

	cause error // not serialised; kept for errors.Is/As and logs
}

// New returns an Error with the given code and message and empty details.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Details: map[string]any{}}
}

// Wrap returns an Error whose cause is err, so errors.Is and errors.As still
// reach it.
func Wrap(code Code, err error, format string, args ...any) *Error {
	e := New(code, format, args...)
	e.cause = err
	return e
}

// With returns e after setting details key k to v; it allows one-line
// construction: errcode.New(...).With("limit", 10).
func (e *Error) With(k string, v any) *Error {
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	e.Details[k] = v
	return e
}

func (e *Error) Error() string {
	if e.cause != nil && e.cause.Error() != e.Message {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// Is matches any *Error with the same code, so callers can write
// errors.Is(err, &errcode.Error{Code: errcode.Timeout}) or use [Of].
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// MarshalJSON always writes details as an object, never null, so callers in
// any language can index it without a check.
func (e *Error) MarshalJSON() ([]byte, error) {
	d := e.Details
	if d == nil {
		d = map[string]any{}
	}
	type wire Error
	w := wire(*e)
	w.Details = d
	return json.Marshal(w)
}

// Of returns the code of err if it is (or wraps) an *Error, and Internal
// otherwise: an error nobody typed is an infrastructure failure.
func Of(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as an *Error, typing an untyped error as Internal with its
// text as the message.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Wrap(Internal, err, "%s", err.Error())
}
