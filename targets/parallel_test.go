package targets

import (
	"testing"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
)

// TestParallel: h2o, whose server process aborts under some scenarios and fails
// every request in flight, takes one scenario at a time, whatever the run asks
// for; the other proxies take what the run asks for.
func TestParallel(t *testing.T) {
	for _, name := range ProcessNames() {
		p, err := NewProcess(name, scenarios.DefaultTimeouts())
		if err != nil {
			t.Fatal(err)
		}
		want := 8
		if name == "h2o" {
			want = 1
		}
		if got := harness.Parallelism(p, 8); got != want {
			t.Errorf("%s: %d scenarios at once when 8 are asked for; want %d", name, got, want)
		}
	}
}
