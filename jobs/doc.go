// Package jobs is toolq's wire contract and the code on both ends of it.
//
// A call travels as an asynq task "tool:<name>" whose payload is a [Call];
// its state lives in toolq's own record, toolq:job:<id>, an [Envelope] kept
// for the result retention and written final exactly once (the first final
// write wins, so a cancellation racing a result cannot produce two answers).
// Finishing a record publishes the id on toolq:done.
//
// [Client] is what backends import: Submit (validated before anything is
// enqueued), Get, Wait (woken by toolq:done, polling as a fallback), Cancel
// and SubmitBatch. [Worker] is the asynq handler: it re-validates, marks the
// record running, takes one of its own sandbox slots, runs the tool in a
// fresh sandboxed child on a deadline that ends before asynq's, and turns the
// outcome into a result or a typed error. [child.Main] is what that child
// runs.
//
//	rdb, _ := jobs.NewRedisClient("redis://127.0.0.1:6379/0")
//	c := jobs.NewClient(rdb, nil)
//	env, err := c.Submit(ctx, "robust_summary_stats", json.RawMessage(`{"values":[1,2,3,40]}`), nil)
//	if err != nil { … } // *errcode.Error: input_invalid, input_too_large, unknown_tool
//	env, err = c.Wait(ctx, env.ID)
//	if env.Error != nil { … } // timeout, memory_exceeded, tool_error, …
package jobs
