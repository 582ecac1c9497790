package suites_test

import (
	"time"

	"github.com/gatecheck/gatecheck/harness"
	"github.com/gatecheck/gatecheck/scenarios"
	"github.com/gatecheck/gatecheck/suites"
	"github.com/gatecheck/gatecheck/targets"
)

// ExampleRegister shows gatecheck's specs in your own Ginkgo suite, for a proxy you
// run yourself at 127.0.0.1:8080 that routes the gatecheck prefixes to a fake
// upstream at 127.0.0.1:8081 (see `gatecheck serve`). In a _test.go file:
//
//	var proxy, _ = targets.New("http://127.0.0.1:8080",
//		scenarios.Timeouts{Connect: 2 * time.Second, Read: 5 * time.Second})
//
//	var _ = suites.Register(suites.Config{
//		Target:  proxy,
//		FailOn:  scenarios.Must,
//		Options: harness.Options{UpstreamAddr: "127.0.0.1:8081"},
//	})
//
//	func TestProxy(t *testing.T) {
//		RegisterFailHandler(Fail)
//		RunSpecs(t, "my proxy")
//	}
//
// Then: go test ./... -ginkgo.label-filter='must && !timeout'.
func ExampleRegister() {
	proxy, err := targets.New("http://127.0.0.1:8080",
		scenarios.Timeouts{Connect: 2 * time.Second, Read: 5 * time.Second})
	if err != nil {
		panic(err)
	}
	_ = suites.Register(suites.Config{
		Target:  proxy,
		FailOn:  scenarios.Must,
		Options: harness.Options{UpstreamAddr: "127.0.0.1:8081"},
	})
}
