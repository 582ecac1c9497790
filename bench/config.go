package bench

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// Defaults and bounds of a run. Every one is a cap the run cannot exceed,
// whatever it is asked: a bench run is a bounded load on loopback, not a
// stress tool left running.
const (
	DefaultDuration       = 10 * time.Second
	MaxDuration           = 10 * time.Minute
	DefaultWarmup         = time.Second
	MaxWarmup             = time.Minute
	DefaultMaxRequests    = 1_000_000
	MaxRequestsCap        = 10_000_000
	MaxRate               = 50_000
	DefaultConnections    = 512
	MaxConnections        = 10_000
	DefaultSampleInterval = 250 * time.Millisecond
	MinSampleInterval     = 50 * time.Millisecond
	MaxSampleInterval     = 10 * time.Second
	DefaultSettle         = 3 * time.Second
	MaxSettle             = time.Minute
)

// Config is one load: what to send, how fast, for how long. Zero Duration,
// MaxRequests and SampleInterval take the defaults above; a zero Warmup or
// Settle means none (the command line's defaults are DefaultWarmup and
// DefaultSettle). Rate or Connections must be set.
type Config struct {
	// Mix is the fault mix (mix mode); URL is set instead in plain mode, where
	// every request is a GET of it, with no fake upstream and no judge: the
	// outcome is the status code.
	Mix *Mix
	URL string
	// Rate, when positive, makes the load open-loop at Rate requests per
	// second, with at most Connections in flight (default 512). Otherwise the
	// load is closed-loop over Connections connections.
	Rate        float64
	Connections int
	// Duration is the measured window. It follows Warmup, whose requests are
	// sent and judged but not counted.
	Duration time.Duration
	Warmup   time.Duration
	// MaxRequests caps the requests sent, warm-up included.
	MaxRequests int64
	// Seed picks the mix's scenario of each request: the i-th request's
	// scenario depends on Seed and i only.
	Seed int64
	// SampleInterval is how often the proxy's processes are sampled, from
	// before the warm-up until Settle after the load.
	SampleInterval time.Duration
	Settle         time.Duration
	// Timeouts are the declared timeouts of the proxy (targets may narrow
	// them). In plain mode a request's deadline is connect + read + 2s.
	Timeouts scenarios.Timeouts
	// Options are the session's (the fake upstream's address).
	Options harness.Options
	// Progress, when set, is called about four times a second while a target
	// is loaded, never concurrently.
	Progress func(Progress)
}

// Mode is the load's mode: open-loop with a rate, closed-loop without.
func (c *Config) Mode() Mode {
	if c.Rate > 0 {
		return OpenLoop
	}
	return ClosedLoop
}

// Normalize fills in the defaults and checks every bound. Its errors name the
// command-line flag of the field at fault, in one line.
func (c *Config) Normalize() error {
	if c.Duration == 0 {
		c.Duration = DefaultDuration
	}
	if c.MaxRequests == 0 {
		c.MaxRequests = DefaultMaxRequests
	}
	if c.SampleInterval == 0 {
		c.SampleInterval = DefaultSampleInterval
	}
	if c.Timeouts == (scenarios.Timeouts{}) {
		c.Timeouts = scenarios.DefaultTimeouts()
	}
	switch {
	case (c.Mix == nil) == (c.URL == ""):
		return errors.New("want --mix (faults through the fake upstream) or --url (plain GETs), not both or neither")
	case c.Rate < 0 || c.Rate > MaxRate:
		return fmt.Errorf("--rate %g: want 1 to %d requests per second", c.Rate, MaxRate)
	case c.Rate > 0 && c.Rate < 1:
		return fmt.Errorf("--rate %g: want at least 1 request per second", c.Rate)
	case c.Rate == 0 && c.Connections == 0:
		return errors.New("want --rate R (open loop) or --connections C (closed loop)")
	case c.Connections < 0 || c.Connections > MaxConnections:
		return fmt.Errorf("--connections %d: want 1 to %d", c.Connections, MaxConnections)
	case c.Duration < 0 || c.Duration > MaxDuration:
		return fmt.Errorf("--duration %v: want more than 0 and at most %v", c.Duration, MaxDuration)
	case c.Warmup < 0 || c.Warmup > MaxWarmup:
		return fmt.Errorf("--warmup %v: want 0 to %v", c.Warmup, MaxWarmup)
	case c.MaxRequests < 0 || c.MaxRequests > MaxRequestsCap:
		return fmt.Errorf("--max-requests %d: want 1 to %d", c.MaxRequests, MaxRequestsCap)
	case c.SampleInterval < MinSampleInterval || c.SampleInterval > MaxSampleInterval:
		return fmt.Errorf("--sample-interval %v: want %v to %v", c.SampleInterval, MinSampleInterval, MaxSampleInterval)
	case c.Settle < 0 || c.Settle > MaxSettle:
		return fmt.Errorf("--settle %v: want 0 to %v", c.Settle, MaxSettle)
	case c.Timeouts.Connect <= 0 || c.Timeouts.Read <= 0:
		return fmt.Errorf("--connect-timeout and --read-timeout: want positive durations")
	}
	if c.URL != "" {
		if _, err := parsePlainURL(c.URL); err != nil {
			return err
		}
	}
	limit, err := connectionLimit()
	if err != nil {
		limit = MaxConnections
	}
	if c.Connections == 0 {
		c.Connections = min(DefaultConnections, limit)
	}
	if c.Connections > limit {
		return fmt.Errorf("--connections %d: at most %d under this process's open-files limit (ulimit -n; each connection may take 4 descriptors here)", c.Connections, limit)
	}
	return nil
}

// Settings are the report's record of c.
func (c *Config) Settings() Settings {
	s := Settings{
		Mode:             c.Mode(),
		URL:              c.URL,
		Rate:             c.Rate,
		Connections:      c.Connections,
		DurationMS:       c.Duration.Milliseconds(),
		WarmupMS:         c.Warmup.Milliseconds(),
		MaxRequests:      c.MaxRequests,
		Seed:             c.Seed,
		SampleIntervalMS: c.SampleInterval.Milliseconds(),
	}
	if c.Mix != nil {
		s.Mix = append([]MixEntry(nil), c.Mix.Entries...)
	}
	return s
}

// plainURL is a --url split for the raw client: where to dial, the Host
// field and the request target.
type plainURL struct {
	addr, host, target string
}

// parsePlainURL checks an http:// URL for plain mode.
func parsePlainURL(raw string) (plainURL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return plainURL{}, fmt.Errorf("--url %q: %w", raw, err)
	}
	if u.Scheme != "http" || u.Hostname() == "" || u.User != nil || u.Fragment != "" {
		return plainURL{}, fmt.Errorf("--url %q: want http://HOST:PORT/PATH", raw)
	}
	addr := u.Host
	if u.Port() == "" {
		addr += ":80"
	}
	target := u.RequestURI()
	if target == "" {
		target = "/"
	}
	return plainURL{addr: addr, host: u.Host, target: target}, nil
}
