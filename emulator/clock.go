package emulator

import (
	"sync/atomic"
	"time"
)

// clock is the virtual clock: the real clock plus an offset that only grows.
type clock struct {
	real   func() time.Time
	offset atomic.Int64 // nanoseconds
}

func (c *clock) now() time.Time {
	return c.real().Add(time.Duration(c.offset.Load())).UTC()
}

func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

func (c *clock) offsetDuration() time.Duration { return time.Duration(c.offset.Load()) }

func (c *clock) setOffset(d time.Duration) { c.offset.Store(int64(d)) }
