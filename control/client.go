package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gatecheck/gatecheck/fakeupstream"
)

// pollWait is how long one long-poll of Wait asks the server to hold.
const pollWait = 2 * time.Second

// dialWait bounds Dial's wait for the control API to answer.
const dialWait = 30 * time.Second

// Client talks to a gatecheck serve's control API. It is the fake upstream of a
// harness session whose proxy forwards to a fake upstream in another process.
type Client struct {
	base string
	hc   *http.Client
	ep   fakeupstream.Endpoints
}

// Dial checks the control API at baseURL ("http://HOST:PORT") with GET /healthz,
// trying for up to 30s, and returns a client. endpoints, when not zero, replace the ones the server
// reports (which are its listen addresses, as 0.0.0.0:8081 in a container).
func Dial(ctx context.Context, baseURL string, endpoints fakeupstream.Endpoints) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Scheme != "http" || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("control %q: want http://HOST:PORT", baseURL)
	}
	c := &Client{base: "http://" + u.Host, hc: &http.Client{Timeout: MaxWait + 10*time.Second}}
	var h Health
	// A gatecheck serve started beside the harness (docker-compose) may still be
	// starting: retry, bounded.
	wctx, cancel := context.WithTimeout(ctx, dialWait)
	defer cancel()
	for {
		err := c.do(wctx, http.MethodGet, "/healthz", nil, nil, &h)
		if err == nil {
			break
		}
		select {
		case <-wctx.Done():
			return nil, err
		case <-time.After(200 * time.Millisecond): // polling a process that is not ours
		}
	}
	c.ep = fakeupstream.Endpoints{Main: h.Endpoints.Main, Refused: h.Endpoints.Refused, ConnectTimeout: h.Endpoints.ConnectTimeout}
	if endpoints != (fakeupstream.Endpoints{}) {
		c.ep = endpoints
	}
	return c, nil
}

// URL is the control API's base URL.
func (c *Client) URL() string { return c.base }

// Endpoints are the fake upstream's addresses as the proxy reaches them.
func (c *Client) Endpoints() fakeupstream.Endpoints { return c.ep }

// Replace loads resolved scripts for scenario id (PUT /scenarios/{id}).
func (c *Client) Replace(ctx context.Context, id string, scripts []fakeupstream.Script) error {
	doc, err := EncodeScripts(scripts)
	if err != nil {
		return fmt.Errorf("load scenario %q: %w", id, err)
	}
	body, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Errorf("load scenario %q: %w", id, err)
	}
	return c.do(ctx, http.MethodPut, "/scenarios/"+id, body, nil, nil)
}

// Journal returns the Record for token.
func (c *Client) Journal(ctx context.Context, token string) (fakeupstream.Record, error) {
	var rec fakeupstream.Record
	err := c.do(ctx, http.MethodGet, "/journal/"+url.PathEscape(token), nil, nil, &rec)
	return rec, err
}

// Wait returns the Record for token as soon as cond holds for it, long-polling
// the server for changes. When ctx ends first it returns the last Record seen
// with an error.
func (c *Client) Wait(ctx context.Context, token string, cond func(fakeupstream.Record) bool) (fakeupstream.Record, error) {
	var rec fakeupstream.Record
	etag := ""
	for {
		path := "/journal/" + url.PathEscape(token)
		hdr := http.Header{}
		if etag != "" {
			path += "?wait=" + pollWait.String()
			hdr.Set("If-None-Match", `"`+etag+`"`)
		}
		var next fakeupstream.Record
		got, err := c.doHeader(ctx, http.MethodGet, path, nil, hdr, &next)
		if err != nil {
			return rec, fmt.Errorf("wait for journal %s: %w", token, err)
		}
		rec, etag = next, strings.Trim(got.Get("ETag"), `"`)
		if cond(rec) {
			return rec, nil
		}
		if err := ctx.Err(); err != nil {
			return rec, fmt.Errorf("wait for journal %s: %w", token, err)
		}
	}
}

// Forget drops the Record for token; errors are ignored, as the server bounds
// its journal anyway.
func (c *Client) Forget(token string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = c.do(ctx, http.MethodDelete, "/journal/"+url.PathEscape(token), nil, nil, nil)
}

// CloseIdle asks the fake upstream to close its idle connections and waits until
// the proxy has closed them, or ctx ends (bounded by the server to 10s).
func (c *Client) CloseIdle(ctx context.Context) error {
	timeout := MaxCloseIdle
	if d, ok := ctx.Deadline(); ok {
		timeout = max(min(time.Until(d), MaxCloseIdle), time.Millisecond)
	}
	var st struct{ Status, Detail string }
	if err := c.do(ctx, http.MethodPost, "/close-idle?timeout="+timeout.String(), nil, nil, &st); err != nil {
		return err
	}
	if st.Status != "ok" {
		return errors.New(st.Detail)
	}
	return nil
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, hdr http.Header, out any) error {
	_, err := c.doHeader(ctx, method, path, body, hdr, out)
	return err
}

// doHeader sends one request and decodes a 2xx JSON answer into out; any other
// status is an error carrying the server's {"error": ...}.
func (c *Client) doHeader(ctx context.Context, method, path string, body []byte, hdr http.Header, out any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("control %s %s: %w", method, path, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/yaml")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("control %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("control %s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Error string }
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
		}
		return nil, fmt.Errorf("control %s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("control %s %s: decode answer: %w", method, path, err)
		}
	}
	return resp.Header, nil
}
