package bench

import (
	"fmt"
	"html"
	"io"
)

// WriteHTML writes r as a self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	_, err := fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>gatecheck bench</title><h1>gatecheck bench %s</h1>\n", html.EscapeString(r.GatecheckVersion))
	for _, t := range r.Targets {
		if _, err := fmt.Fprintf(w, "<h2>%s</h2><p>%d requests, %.1f/s</p>\n", html.EscapeString(t.Target), t.Completed, t.ThroughputRPS); err != nil {
			return err
		}
	}
	return err
}
