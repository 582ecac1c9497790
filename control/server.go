// Package control is the HTTP + JSON control API of `gatecheck serve`: it loads
// scenarios into a running fake upstream and reads its journal, so that a harness
// in another process (or another container) can run every scenario — retries,
// connection reuse, timing anchors — against a proxy it did not start. Client is
// the harness's side of it.
package control

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gatecheck/gatecheck/fakeupstream"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Bounds of the API.
const (
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes = 1 << 20
	// MaxWait bounds a long-poll of GET /journal/{token}.
	MaxWait = 10 * time.Second
	// MaxCloseIdle bounds POST /close-idle.
	MaxCloseIdle = 10 * time.Second
)

// Handler serves the control API for up. Scenario documents PUT to it are
// resolved against the declared timeouts t.
//
//	GET    /healthz            200 {"status":"ok","endpoints":{...},"timeouts":{...}}
//	PUT    /scenarios/{id...}  load or replace a scenario's scripts; the body is a
//	                           YAML scenario document (the catalogue's format) or a
//	                           ScriptsDocument ("scripts:"), at most 1 MiB
//	GET    /journal/{token}    the Record; with If-None-Match: ETAG and ?wait=D it
//	                           waits (at most 10s) until the Record differs from ETAG
//	DELETE /journal/{token}    forget the Record
//	POST   /close-idle         close the idle upstream connections (?timeout=D, ≤10s)
//
// Every error is a 4xx or 5xx with a JSON body {"error": "..."}.
func Handler(up *fakeupstream.Server, t scenarios.Timeouts) http.Handler {
	h := &handler{up: up, timeouts: t}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", h.healthz)
	mux.HandleFunc("PUT /scenarios/{id...}", h.putScenario)
	mux.HandleFunc("GET /journal/{token}", h.getJournal)
	mux.HandleFunc("DELETE /journal/{token}", h.deleteJournal)
	mux.HandleFunc("POST /close-idle", h.closeIdle)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Errorf("no endpoint %s %s (see GET /healthz, PUT /scenarios/{id}, GET /journal/{token}, POST /close-idle)", r.Method, r.URL.Path))
	})
	return mux
}

type handler struct {
	up       *fakeupstream.Server
	timeouts scenarios.Timeouts
}

// Health is the answer of GET /healthz.
type Health struct {
	Status    string             `json:"status"`
	Endpoints Endpoints          `json:"endpoints"`
	Timeouts  scenarios.Timeouts `json:"timeouts"`
}

// Endpoints are fakeupstream.Endpoints with JSON names.
type Endpoints struct {
	Main           string `json:"main"`
	Refused        string `json:"refused"`
	ConnectTimeout string `json:"connect_timeout"`
}

func (h *handler) healthz(w http.ResponseWriter, _ *http.Request) {
	e := h.up.Endpoints()
	writeJSON(w, http.StatusOK, Health{Status: "ok", Timeouts: h.timeouts,
		Endpoints: Endpoints{Main: e.Main, Refused: e.Refused, ConnectTimeout: e.ConnectTimeout}})
}

func (h *handler) putScenario(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("scenario %q: body larger than %d bytes", id, MaxBodyBytes))
			return
		}
		writeError(w, http.StatusBadRequest, fmt.Errorf("scenario %q: read body: %w", id, err))
		return
	}
	scripts, err := h.scripts(id, body)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := h.up.Add(id, scripts); err != nil {
		if errors.Is(err, fakeupstream.ErrAlreadyAdded) {
			h.up.Replace(id, scripts)
		} else {
			writeError(w, http.StatusBadRequest, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "scripts": len(scripts)})
}

// scripts reads a PUT body: a ScriptsDocument, or a scenario document resolved
// against the declared timeouts.
func (h *handler) scripts(id string, body []byte) ([]fakeupstream.Script, error) {
	var probe map[string]yaml.Node
	if err := yaml.Unmarshal(body, &probe); err != nil {
		return nil, fmt.Errorf("scenario %q: not a YAML mapping: %w", id, err)
	}
	if _, ok := probe["scripts"]; ok {
		var doc ScriptsDocument
		dec := yaml.NewDecoder(bytes.NewReader(body))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil {
			return nil, fmt.Errorf("scenario %q: %w", id, err)
		}
		scripts, err := DecodeScripts(doc)
		if err != nil {
			return nil, fmt.Errorf("scenario %q: %w", id, err)
		}
		return scripts, nil
	}
	scs, err := scenarios.Parse("scenarios/"+id, body)
	if err != nil {
		return nil, err
	}
	if len(scs) != 1 {
		return nil, fmt.Errorf("scenario %q: want one document, got %d", id, len(scs))
	}
	if scs[0].ID != id {
		return nil, fmt.Errorf("scenario %q: the document's id is %q", id, scs[0].ID)
	}
	return scs[0].Scripts(h.timeouts)
}

func (h *handler) getJournal(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	rec := h.up.Journal(token)
	if known := strings.Trim(r.Header.Get("If-None-Match"), `"`); known != "" && r.URL.Query().Has("wait") {
		wait, err := time.ParseDuration(r.URL.Query().Get("wait"))
		if err != nil || wait < 0 {
			writeError(w, http.StatusBadRequest, fmt.Errorf("wait %q: want a duration like 2s", r.URL.Query().Get("wait")))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), min(wait, MaxWait))
		rec, _ = h.up.Wait(ctx, token, func(r fakeupstream.Record) bool { return ETag(r) != known })
		cancel()
	}
	w.Header().Set("ETag", `"`+ETag(rec)+`"`)
	writeJSON(w, http.StatusOK, rec)
}

func (h *handler) deleteJournal(w http.ResponseWriter, r *http.Request) {
	h.up.Forget(r.PathValue("token"))
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) closeIdle(w http.ResponseWriter, r *http.Request) {
	timeout := 2 * time.Second
	if v := r.URL.Query().Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			writeError(w, http.StatusBadRequest, fmt.Errorf("timeout %q: want a duration like 2s", v))
			return
		}
		timeout = min(d, MaxCloseIdle)
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	if err := h.up.CloseIdle(ctx); err != nil {
		writeJSON(w, http.StatusOK, map[string]string{"status": "timeout", "detail": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ETag is a short digest of a Record: it changes whenever the Record does.
func ETag(r fakeupstream.Record) string {
	b, _ := json.Marshal(r)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, err error) {
	writeJSON(w, code, map[string]string{"error": err.Error()})
}
