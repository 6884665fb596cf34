//go:build !unix

package store

// processAlive cannot tell here, so every owner counts as alive and no
// session is ended as abandoned.
func processAlive(pid int) bool { return true }
