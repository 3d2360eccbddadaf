// Package bench holds toolq's benchmarks (make bench): the cost of a no-op
// call in-process, as a plain exec of the child, and sandboxed; idle
// submit-and-wait latency; and throughput through Redis and a worker.
package bench
