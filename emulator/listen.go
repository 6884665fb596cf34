package emulator

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// Listen errors, for errors.Is; Listen returns them wrapped in a
// *ListenError.
var (
	// ErrNotLoopback: the address is not a loopback one and remote serving
	// was not allowed.
	ErrNotLoopback = errors.New("not a loopback address")
	// ErrAddrInUse: another process holds the port.
	ErrAddrInUse = errors.New("address already in use")
	// ErrBadAddr: the address cannot be listened on as given.
	ErrBadAddr = errors.New("bad listen address")
)

// ListenError is every error Listen returns: a usage problem the user
// fixes with a different --addr (or --allow-remote). Its message is one
// line that says what to do.
type ListenError struct {
	Addr string // the address as given
	Kind error  // ErrNotLoopback, ErrAddrInUse or ErrBadAddr
	Err  error  // the underlying error, if any
	msg  string
}

// Error is the one-line message for the user.
func (e *ListenError) Error() string { return e.msg }

// Unwrap returns the kind and the underlying error.
func (e *ListenError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Listen opens a TCP listener on addr (host:port; port 0 picks a free
// one). A host that is not loopback (127.0.0.0/8, ::1 or localhost) is
// refused unless allowRemote: the emulator has no real security.
func Listen(addr string, allowRemote bool) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &ListenError{Addr: addr, Kind: ErrBadAddr, Err: err,
			msg: fmt.Sprintf("%q is not a host:port address; use e.g. --addr 127.0.0.1:7878 (port 0 picks a free one)", addr)}
	}
	if !allowRemote && !isLoopbackHost(host) {
		return nil, &ListenError{Addr: addr, Kind: ErrNotLoopback,
			msg: fmt.Sprintf("%s is not a loopback address; pass --allow-remote to serve beyond this machine", addr)}
	}
	ln, err := net.Listen("tcp", addr)
	switch {
	case err == nil:
		return ln, nil
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, &ListenError{Addr: addr, Kind: ErrAddrInUse, Err: err,
			msg: fmt.Sprintf("%s is already in use; pick another port with --addr 127.0.0.1:0 (any free port) or stop the process using it", addr)}
	default:
		return nil, &ListenError{Addr: addr, Kind: ErrBadAddr, Err: err,
			msg: fmt.Sprintf("cannot listen on %s: %v; pick another --addr", addr, err)}
	}
}

// isLoopbackHost reports whether host is a loopback IP or localhost.
func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
