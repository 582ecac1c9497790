package suites_test

import (
	"log"
	"testing"

	"github.com/gatecheck/gatecheck/targets"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// TestGatecheck runs the project's own Ginkgo suite: the built-in catalogue
// against the target -gatecheck.target (or $GATECHECK_TARGET, default go-stdlib).
// go test ./suites -args -ginkgo.junit-report=report.xml writes JUnit.
func TestGatecheck(t *testing.T) {
	RegisterFailHandler(Fail)
	log.SetOutput(targets.StdLog) // net/http's notices go to go-stdlib's log
	if err := registerProject(); err != nil {
		t.Fatal(err)
	}
	RunSpecs(t, "gatecheck")
}
