package emulator

import (
	"errors"
	"net"
	"strings"
	"testing"
)

func TestListenPicksAFreeLoopbackPort(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		ln, err := Listen(addr, false)
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		tcp := ln.Addr().(*net.TCPAddr)
		if tcp.Port == 0 || !tcp.IP.IsLoopback() {
			t.Errorf("%s: listening on %v", addr, tcp)
		}
		ln.Close()
	}
}

func TestListenRefusesRemoteUnlessAllowed(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0"} {
		_, err := Listen(addr, false)
		var le *ListenError
		if !errors.As(err, &le) || !errors.Is(err, ErrNotLoopback) {
			t.Fatalf("%s: want ErrNotLoopback, got %v", addr, err)
		}
		if want := addr + " is not a loopback address; pass --allow-remote to serve beyond this machine"; err.Error() != want {
			t.Errorf("message %q", err.Error())
		}
	}
	ln, err := Listen("0.0.0.0:0", true)
	if err != nil {
		t.Fatalf("allowed remote: %v", err)
	}
	ln.Close()
}

func TestListenReportsAPortInUse(t *testing.T) {
	first, err := Listen("127.0.0.1:0", false)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	addr := first.Addr().String()
	_, err = Listen(addr, false)
	var le *ListenError
	if !errors.As(err, &le) || !errors.Is(err, ErrAddrInUse) {
		t.Fatalf("want ErrAddrInUse, got %v", err)
	}
	if !strings.HasPrefix(err.Error(), addr+" is already in use; pick another port with --addr 127.0.0.1:0") || strings.Contains(err.Error(), "\n") {
		t.Errorf("message %q", err.Error())
	}
}

func TestListenRejectsMalformedAddresses(t *testing.T) {
	_, err := Listen("7878", false)
	if !errors.Is(err, ErrBadAddr) {
		t.Fatalf("want ErrBadAddr, got %v", err)
	}
}
