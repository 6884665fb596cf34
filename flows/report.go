package flows

import (
	"encoding/json"
	"fmt"
	"time"
)

// Report describes the run so far.
func (r *Run) Report() Report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := Report{
		Flow: r.flow.Name, Scenario: r.flow.Scenario, RunID: r.id, Mode: r.mode, ItemID: r.st.item,
		StartedAt: r.started.UTC(), Timeline: append([]TimelineEntry(nil), r.timeline...),
		Webhooks: append([]WebhookReceived(nil), r.webhooks...),
		Steps:    make([]StepReport, len(r.flow.Steps)),
	}
	end := r.ended
	if end.IsZero() {
		end = time.Now()
	}
	rep.Duration = end.Sub(r.started).Round(time.Millisecond)
	rep.DurationMS = float64(end.Sub(r.started).Microseconds()) / 1000
	rep.OK = r.cur >= len(r.flow.Steps)
	for i, step := range r.flow.Steps {
		res := r.results[i]
		if res == nil {
			rep.Steps[i] = StepReport{Name: step.Name, Status: string(StatusPending), Endpoint: step.Endpoint}
			rep.OK = false
			continue
		}
		rep.Steps[i] = stepReport(res)
		if res.Status == StatusFailed {
			rep.OK = false
			if rep.Error == "" {
				rep.Error = "step " + res.Step + ": " + res.Error
			}
		}
	}
	return rep
}

func stepReport(res *StepResult) StepReport {
	sr := StepReport{
		Name: res.Step, Status: string(res.Status), Endpoint: res.Endpoint, RequestID: res.RequestID,
		HTTPStatus: res.HTTPStatus, ErrorCode: res.ErrorCode, Error: res.Error,
		DurationMS: float64(res.Duration.Microseconds()) / 1000, Facts: res.Facts,
	}
	if ex, ok := res.Explanation(); ok {
		sr.Explanation, sr.NextStep = ex.Meaning, ex.NextStep
	}
	for _, c := range res.Calls {
		sr.Calls = append(sr.Calls, callJSON(c))
	}
	return sr
}

// callReport is a Call as the JSON report shows it.
type callReport struct {
	Time         time.Time       `json:"time"`
	Method       string          `json:"method"`
	Endpoint     string          `json:"endpoint"`
	HTTPStatus   int             `json:"http_status,omitempty"`
	RequestID    string          `json:"request_id,omitempty"`
	ErrorType    string          `json:"error_type,omitempty"`
	ErrorCode    string          `json:"error_code,omitempty"`
	ErrorMessage string          `json:"error_message,omitempty"`
	DurationMS   float64         `json:"duration_ms"`
	Request      json.RawMessage `json:"request,omitempty"`
	Response     json.RawMessage `json:"response,omitempty"`
	Error        string          `json:"error,omitempty"`
}

// callJSON renders a call (bodies already masked) for the report.
func callJSON(c Call) json.RawMessage {
	cr := callReport{
		Time: c.Time.UTC(), Method: c.Method, Endpoint: c.Endpoint, HTTPStatus: c.HTTPStatus,
		RequestID: c.RequestID, ErrorType: c.ErrorType, ErrorCode: c.ErrorCode, ErrorMessage: c.ErrorMessage,
		DurationMS: float64(c.Duration.Microseconds()) / 1000,
		Request:    rawBody(c.RequestBody), Response: rawBody(c.ResponseBody),
	}
	if c.Err != nil {
		cr.Error = c.Err.Error()
	}
	b, err := json.Marshal(cr)
	if err != nil {
		// Unreachable: every field marshals; keep the report whole anyway.
		b, _ = json.Marshal(map[string]string{"endpoint": c.Endpoint, "error": err.Error()})
	}
	return b
}

// rawBody is a body (masked by the recording transport) as JSON: itself
// when valid, else a string.
func rawBody(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	s, _ := json.Marshal(string(b))
	return s
}

// FormatDuration is how a duration is shown to people, in the terminal
// app and in run's output alike: 4.2 ms, 142 ms, 1.3 s; "" for none.
func FormatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
