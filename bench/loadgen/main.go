// Command loadgen measures the emulator's server-side cost per
// /link/token/create against a bare net/http JSON handler.
//
// It starts two servers, each as its own process (this binary with
// -serve emulator and -serve bare), drives both over loopback with the same
// load (keep-alive connections sending one pre-encoded request body, so the
// client's work is small and is not counted anyway), and reads each
// server's CPU time (utime+stime from /proc/PID/stat) before and after
// every round. Rounds alternate between the servers so both share the
// machine's ups and downs; the report gives per-request medians and the
// ratio. Then it ages the emulator with -age requests (1,000,000 by
// default) and measures again.
//
// Usage: go run ./bench/loadgen [-rounds 7] [-round 2s] [-conns 4] [-age 1000000]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/linkexplorer/linkexplorer/emulator"
)

// clockTick is the unit of /proc/PID/stat's utime and stime (USER_HZ,
// 100 on Linux).
const clockTick = 10 * time.Millisecond

// body is /link/token/create as plaid-go v20.1.0 sends it for the
// quickstart's request.
var body = []byte(`{"client_name":"Plaid Quickstart","country_codes":["US"],"language":"en","products":["auth","transactions"],"user":{"client_user_id":"user-1"}}`)

func main() {
	serve := flag.String("serve", "", "run a server instead: emulator or bare (used by the driver)")
	logRequests := flag.Bool("log", true, "emulator: log a text line per request to stderr, as `linkexplorer emulator` does")
	rounds := flag.Int("rounds", 7, "measured rounds per server, fresh and aged")
	round := flag.Duration("round", 2*time.Second, "length of one round")
	conns := flag.Int("conns", 4, "concurrent keep-alive connections")
	rate := flag.Int("rate", 2000, "requests a second in the measured rounds, the same for both servers (0: as fast as each answers)")
	age := flag.Int("age", 1_000_000, "requests sent to the emulator before the aged rounds (0: skip)")
	cpuProfile := flag.String("cpuprofile", "", "write the emulator server's CPU profile (all rounds) to this file")
	flag.Parse()
	if *serve != "" {
		if *cpuProfile != "" {
			stop, err := profile(*cpuProfile)
			if err != nil {
				fmt.Fprintln(os.Stderr, "loadgen:", err)
				os.Exit(1)
			}
			defer stop()
		}
		if err := runServer(*serve, *logRequests); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		return
	}
	if err := drive(*rounds, *round, *conns, *rate, *age, *logRequests, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// runServer builds one server, then listens on a loopback port and prints
// its address: the driver times exec → that line as the start-up.
func runServer(kind string, logRequests bool) error {
	var h http.Handler
	var serve func(net.Listener) error
	switch kind {
	case "emulator":
		var logger *slog.Logger
		if logRequests {
			logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
		}
		emu, err := emulator.New(emulator.Options{Logger: logger})
		if err != nil {
			return err
		}
		serve = func(ln net.Listener) error { return emu.Serve(context.Background(), ln) }
	case "bare":
		h = bareHandler()
		serve = func(ln net.Listener) error {
			return (&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
		}
	default:
		return fmt.Errorf("-serve %q: want emulator or bare", kind)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("listening %s\n", ln.Addr())
	os.Stdout.Sync()
	return serve(ln)
}

// bareHandler is the baseline: net/http decoding the JSON body and encoding
// a response of the emulator's shape (fresh link_token and request_id),
// with no validation, state or logging.
func bareHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /link/token/create", func(w http.ResponseWriter, r *http.Request) {
		var req map[string]any
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(struct {
			LinkToken  string    `json:"link_token"`
			Expiration time.Time `json:"expiration"`
			RequestID  string    `json:"request_id"`
		}{"link-sandbox-" + uuid.NewString(), time.Now().Add(4 * time.Hour).Truncate(time.Second), requestID()})
	})
	return mux
}

func requestID() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b [15]byte
	r := rand.Uint64()
	for i := range b {
		if i == 9 {
			r = rand.Uint64()
		}
		b[i] = alnum[r%62]
		r /= 62
	}
	return string(b[:])
}

// server is a running server process.
type server struct {
	name       string
	cmd        *exec.Cmd
	url        string
	cl         *http.Client
	startup    time.Duration // exec → listening, wall clock
	startupCPU time.Duration // CPU time used by then
}

func start(name string, logRequests bool, extra ...string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{"-serve", name, "-log=" + strconv.FormatBool(logRequests)}, extra...)...)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = devnull
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	startup := time.Since(t0)
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("%s server did not start: %q %v", name, line, err)
	}
	srv := &server{name: name, cmd: cmd, url: "http://" + addr + "/link/token/create", startup: startup}
	srv.startupCPU, _ = srv.cpu()
	return srv, nil
}

// stop ends the server: SIGTERM (it writes its profile, if any), then
// SIGKILL after 5 s.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// profile starts a CPU profile written when the process gets SIGTERM or
// SIGINT (then it exits) or when stop is called.
func profile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, err
	}
	var once sync.Once
	stop = func() { once.Do(func() { pprof.StopCPUProfile(); f.Close() }) }
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-sig; stop(); os.Exit(0) }()
	return stop, nil
}

// cpu is the server process's CPU time so far.
func (s *server) cpu() (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(string(data[i+2:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unreadable utime/stime")
	}
	return time.Duration(ut+st) * clockTick, nil
}

// rssKB is the server process's resident memory.
func (s *server) rssKB() int {
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}

// load sends requests on conns connections for d or until limit requests
// (if > 0) are done, at rate requests a second in all (0: each connection
// sends its next request as soon as it has the answer); it returns the
// number answered 200.
func (s *server) load(conns int, d time.Duration, limit int64, rate int) (int64, error) {
	if s.cl == nil {
		s.cl = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	}
	var n atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var interval time.Duration
			if rate > 0 {
				interval = time.Duration(conns) * time.Second / time.Duration(rate)
			}
			next := start.Add(time.Duration(c) * interval / time.Duration(conns))
			for (limit > 0 && n.Load() < limit) || (limit <= 0 && time.Now().Before(deadline)) {
				if interval > 0 {
					if wait := time.Until(next); wait > 0 {
						time.Sleep(wait)
					}
					next = next.Add(interval)
				}
				req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
				req.Header = http.Header{
					"Content-Type":    {"application/json"},
					"Accept":          {"application/json"},
					"User-Agent":      {"Plaid Go v20.1.0"},
					"Plaid-Version":   {"2020-09-14"},
					"Plaid-Client-Id": {"bench-client"},
					"Plaid-Secret":    {"bench-secret-0123456789"},
				}
				resp, err := s.cl.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s answered %d", s.name, resp.StatusCode)
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return n.Load(), firstErr
}

// measure runs one round and returns the server's CPU per request and the
// throughput.
func (s *server) measure(conns int, d time.Duration, rate int) (perReq time.Duration, rps float64, err error) {
	before, err := s.cpu()
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	n, err := s.load(conns, d, 0, rate)
	elapsed := time.Since(t0)
	if err != nil {
		return 0, 0, err
	}
	time.Sleep(50 * time.Millisecond) // let the server finish its writes and logs
	after, err := s.cpu()
	if err != nil || n == 0 {
		return 0, 0, fmt.Errorf("%s: no requests measured (%v)", s.name, err)
	}
	return (after - before) / time.Duration(n), float64(n) / elapsed.Seconds(), nil
}

type sample struct{ perReq, rps []float64 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func runRounds(label string, emu, bare *server, rounds, conns, rate int, d time.Duration) (map[string]*sample, error) {
	res := map[string]*sample{"emulator": {}, "bare": {}}
	for i := range rounds {
		order := []*server{emu, bare}
		if i%2 == 1 {
			order = []*server{bare, emu}
		}
		for _, s := range order {
			per, rps, err := s.measure(conns, d, rate)
			if err != nil {
				return nil, err
			}
			res[s.name].perReq = append(res[s.name].perReq, float64(per.Nanoseconds())/1000)
			res[s.name].rps = append(res[s.name].rps, rps)
			fmt.Printf("%s round %d  %-8s %7.1f µs CPU/request  %8.0f req/s\n", label, i+1, s.name, float64(per.Nanoseconds())/1000, rps)
		}
	}
	return res, nil
}

func report(label string, res map[string]*sample) {
	e, b := median(res["emulator"].perReq), median(res["bare"].perReq)
	fmt.Printf("\n%s: server CPU per /link/token/create, median of %d rounds\n", label, len(res["emulator"].perReq))
	fmt.Printf("  emulator %7.1f µs (%6.0f req/s)   bare %7.1f µs (%6.0f req/s)   ratio %.2fx (goal <= 1.30x)\n\n",
		e, median(res["emulator"].rps), b, median(res["bare"].rps), e/b)
}

func drive(rounds int, d time.Duration, conns, rate, age int, logRequests bool, cpuProfile string) error {
	var extra []string
	if cpuProfile != "" {
		extra = []string{"-cpuprofile", cpuProfile}
	}
	emu, err := start("emulator", logRequests, extra...)
	if err != nil {
		return err
	}
	defer emu.stop()
	bare, err := start("bare", false)
	if err != nil {
		return err
	}
	defer bare.stop()
	load := "as fast as each server answers"
	if rate > 0 {
		load = fmt.Sprintf("%d requests/s to each", rate)
	}
	fmt.Printf("servers: emulator pid %d (request log lines %v), bare pid %d; %d connections, rounds of %s, %s\n",
		emu.cmd.Process.Pid, logRequests, bare.cmd.Process.Pid, conns, d, load)
	fmt.Printf("start-up, exec → listening (the emulator compiles its embedded schema): emulator %s wall, %s CPU; bare %s wall, %s CPU\n",
		emu.startup.Round(time.Millisecond), emu.startupCPU, bare.startup.Round(time.Millisecond), bare.startupCPU)
	for _, s := range []*server{emu, bare} { // warm up: connections, caches, JIT-free but GC-sized heaps
		if _, err := s.load(conns, 500*time.Millisecond, 0, 0); err != nil {
			return err
		}
	}
	fresh, err := runRounds("fresh", emu, bare, rounds, conns, rate, d)
	if err != nil {
		return err
	}
	report("fresh", fresh)
	if age <= 0 {
		return nil
	}
	rss0 := emu.rssKB()
	t0 := time.Now()
	n, err := emu.load(conns, 0, int64(age), 0)
	if err != nil {
		return err
	}
	fmt.Printf("aged the emulator with %d requests in %s (RSS %d MB before, %d MB after)\n",
		n, time.Since(t0).Round(time.Second), rss0/1024, emu.rssKB()/1024)
	aged, err := runRounds("aged", emu, bare, rounds, conns, rate, d)
	if err != nil {
		return err
	}
	report("aged (after "+strconv.Itoa(age)+" requests)", aged)
	fmt.Printf("emulator RSS at the end: %d MB\n", emu.rssKB()/1024)
	return nil
}
