// Package harness runs scenarios against a target and grades them. A Session
// is a started Target in front of a fake upstream (its own, one it was given,
// or the target's); Run and RunAll send each scenario's requests through the
// proxy with the raw client of package wire, read the fake upstream's journal,
// have package judge judge every run, and grade repetitions, follow-ups and
// pooled-connection evidence into one Result per scenario. A scenario with its
// own declared timeouts runs on the target made again with them. Reports
// (JSON) and baselines (YAML) of those results live here too, with the Target
// interfaces every kind of target implements.
//
// harness must never import control, targets, matrix, bench or cmd: targets
// are made elsewhere (package targets) and handed in, and what is built on
// reports stays above it.
package harness
