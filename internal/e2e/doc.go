// Package e2e holds the end-to-end tests: the worker and enqueue binaries as
// built, a private redis-server, real sandboxed children.
package e2e
