package bench

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Phase is where a target's run is, for progress lines.
type Phase string

// The phases, in the order a run goes through them.
const (
	PhaseWarmup    Phase = "warm-up"
	PhaseMeasuring Phase = "measuring"
	// PhaseDraining: the window closed, requests in flight finish.
	PhaseDraining Phase = "draining"
	// PhaseSettling: the load is over, the proxy's resources are still sampled.
	PhaseSettling Phase = "settling"
)

// Progress is a running target's state, for a live progress line.
type Progress struct {
	Target string
	Phase  Phase
	// Elapsed is the time since the measured window opened (negative in the
	// warm-up); Duration and Warmup are the window's and the warm-up's length.
	Elapsed, Duration, Warmup time.Duration
	// Sent, Completed and Outcomes count the measured window's requests so far;
	// InFlight the requests under way now.
	Sent, Completed, InFlight int64
	Outcomes                  map[string]int64
	// P99 is the measured window's 99th percentile latency so far.
	P99 time.Duration
}

// maxProgressOutcomes is how many outcomes a progress line shows.
const maxProgressOutcomes = 4

// String is the progress line, as "nginx measuring 4.2s/10s sent 8400 done
// 8390 in flight 12 p99 1003ms | passthrough 90.1% 502 4.9% 504 5.0%".
func (p Progress) String() string {
	var b strings.Builder
	switch p.Phase {
	case PhaseWarmup:
		fmt.Fprintf(&b, "%s warm-up %.1fs/%v", p.Target, (p.Warmup + p.Elapsed).Seconds(), p.Warmup)
	case PhaseMeasuring:
		fmt.Fprintf(&b, "%s measuring %.1fs/%v", p.Target, p.Elapsed.Seconds(), p.Duration)
	default:
		fmt.Fprintf(&b, "%s %s", p.Target, p.Phase)
	}
	fmt.Fprintf(&b, " sent %d done %d in flight %d", p.Sent, p.Completed, p.InFlight)
	if p.Completed > 0 {
		fmt.Fprintf(&b, " p99 %sms", formatMS(float64(p.P99.Microseconds())/1000))
		words := make([]string, 0, len(p.Outcomes))
		for w := range p.Outcomes {
			words = append(words, w)
		}
		slices.SortFunc(words, func(a, c string) int {
			return cmp.Or(cmp.Compare(p.Outcomes[c], p.Outcomes[a]), cmp.Compare(a, c))
		})
		b.WriteString(" |")
		for _, w := range words[:min(len(words), maxProgressOutcomes)] {
			fmt.Fprintf(&b, " %s %.1f%%", w, 100*float64(p.Outcomes[w])/float64(p.Completed))
		}
	}
	return b.String()
}
