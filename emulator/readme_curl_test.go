package emulator_test

// The curl examples of the control API in README.md, emulator/CONTROL.md
// and emulator/link/README.md are run against a live emulator: each must
// succeed as written (with the emulator's real port and a live link_token
// in place of the placeholders), so the docs cannot drift from the
// emulator's rules (a state change needs Content-Type: application/json).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plaid/plaid-go/v20/plaid"

	"github.com/linkexplorer/linkexplorer/emulator"
)

// docCurl is one curl command from a document.
type docCurl struct {
	file, cmd string
}

// docCurls extracts the curl commands aimed at /__emulator/ from the sh
// code blocks of file, joining continued lines.
func docCurls(t *testing.T, file string) []docCurl {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []docCurl
	inBlock := false
	var cur strings.Builder
	for line := range strings.SplitSeq(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```"):
			inBlock = trimmed == "```sh" || trimmed == "```bash" || trimmed == "```shell"
			continue
		case !inBlock:
			continue
		}
		if cur.Len() == 0 && !strings.HasPrefix(trimmed, "curl ") {
			continue
		}
		cont := strings.HasSuffix(trimmed, `\`)
		cur.WriteString(strings.TrimSuffix(trimmed, `\`))
		cur.WriteString(" ")
		if !cont {
			if cmd := strings.TrimSpace(cur.String()); strings.Contains(cmd, "/__emulator/") {
				out = append(out, docCurl{file, cmd})
			}
			cur.Reset()
		}
	}
	return out
}

// shellWords splits a command line as sh does for plain words and single
// and double quotes (all the docs use).
func shellWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quote in %s", s)
			}
			w.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// replayCurl runs a curl command line with net/http, for machines
// without curl: -s, -X, -H and -d (implies POST), as curl does.
func replayCurl(cmdline string) (int, []byte, error) {
	words, err := shellWords(cmdline)
	if err != nil {
		return 0, nil, err
	}
	method, target := "", ""
	var body *string
	hdr := http.Header{}
	for i := 1; i < len(words); i++ {
		switch a := words[i]; a {
		case "-s", "--silent", "-S", "-f", "--fail":
		case "-X", "--request", "-H", "--header", "-d", "--data", "--data-raw":
			if i+1 == len(words) {
				return 0, nil, fmt.Errorf("%s needs a value", a)
			}
			i++
			switch a {
			case "-X", "--request":
				method = words[i]
			case "-H", "--header":
				k, v, _ := strings.Cut(words[i], ":")
				hdr.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			default:
				body = &words[i]
			}
		default:
			if strings.HasPrefix(a, "-") {
				return 0, nil, fmt.Errorf("the replay does not know curl option %s", a)
			}
			target = a
		}
	}
	if !strings.Contains(target, "://") {
		target = "http://" + target
	}
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(*body)
		if method == "" {
			method = http.MethodPost
		}
		if hdr.Get("Content-Type") == "" {
			hdr.Set("Content-Type", "application/x-www-form-urlencoded") // curl's default for -d
		}
	}
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header = hdr
	req.Header.Set("User-Agent", "curl/8")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

func TestDocCurlExamplesWork(t *testing.T) {
	emu, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(func() { srv.Close(); _ = emu.Close() })
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]

	cfg := plaid.NewConfiguration()
	cfg.AddDefaultHeader("PLAID-CLIENT-ID", "test-client")
	cfg.AddDefaultHeader("PLAID-SECRET", "test-secret")
	cfg.UseEnvironment(plaid.Environment(srv.URL))
	client := plaid.NewAPIClient(cfg).PlaidApi
	linkToken := func() string {
		req := plaid.NewLinkTokenCreateRequest("Docs", "en", []plaid.CountryCode{plaid.COUNTRYCODE_US},
			*plaid.NewLinkTokenCreateRequestUser("user-1"))
		req.SetProducts([]plaid.Products{plaid.PRODUCTS_TRANSACTIONS})
		resp, _, err := client.LinkTokenCreate(context.Background()).LinkTokenCreateRequest(*req).Execute()
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetLinkToken()
	}

	var examples []docCurl
	for _, f := range []string{"../README.md", "CONTROL.md", "link/README.md"} {
		examples = append(examples, docCurls(t, f)...)
	}
	if len(examples) < 7 {
		t.Fatalf("found only %d curl examples of the control API in the docs: %v", len(examples), examples)
	}
	curl, _ := exec.LookPath("curl")
	if curl == "" {
		t.Log("no curl here: replaying the examples with net/http")
	}
	addr := regexp.MustCompile(`(127\.0\.0\.1|localhost):(7878|PORT)\b`)
	for _, ex := range examples {
		words, err := shellWords(ex.cmd)
		if err != nil {
			t.Fatalf("%s: %v", ex.file, err)
		}
		writes := slicesContainsAny(words, "-d", "--data", "-X")
		if writes && !strings.Contains(ex.cmd, "-H 'Content-Type: application/json'") {
			t.Errorf("%s: a state-changing example must send -H 'Content-Type: application/json': %s", ex.file, ex.cmd)
		}
		cmd := addr.ReplaceAllString(ex.cmd, "${1}:"+port)
		if strings.Contains(cmd, "link-sandbox-…") {
			cmd = strings.ReplaceAll(cmd, "link-sandbox-…", linkToken())
		}
		var status int
		var out []byte
		if curl != "" {
			c := exec.Command("sh", "-c", cmd+` -w '\n%{http_code}'`)
			c.Env = append(os.Environ(), "http_proxy=", "HTTP_PROXY=", "no_proxy=*")
			raw, err := c.Output()
			if err != nil {
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					raw = append(raw, ee.Stderr...)
				}
				t.Errorf("%s: %s: %v: %s", ex.file, ex.cmd, err, raw)
				continue
			}
			i := bytes.LastIndexByte(raw, '\n')
			out = raw[:i]
			_, _ = fmt.Sscan(string(raw[i+1:]), &status)
		} else if status, out, err = replayCurl(cmd); err != nil {
			t.Errorf("%s: %s: %v", ex.file, ex.cmd, err)
			continue
		}
		var obj map[string]any
		if status != http.StatusOK || json.Unmarshal(out, &obj) != nil || obj["error_code"] != nil {
			t.Errorf("%s: %s\n  answered %d %s", ex.file, ex.cmd, status, out)
		}
	}
	t.Logf("ran %d curl examples", len(examples))
}

func slicesContainsAny(words []string, flags ...string) bool {
	for _, w := range words {
		for _, f := range flags {
			if w == f {
				return true
			}
		}
	}
	return false
}
