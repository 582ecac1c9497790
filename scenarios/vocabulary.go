package scenarios

// The words of the glossary (docs/CATALOGUE.md), typed: every package that
// grades, reports or compares results uses these and spells none of them
// itself.

// Verdict is the grade of one scenario run (CATALOGUE.md glossary).
type Verdict string

// The five verdicts, in the order reports list them.
const (
	VerdictPass      Verdict = "pass"
	VerdictNonStrict Verdict = "non-strict"
	VerdictFail      Verdict = "fail"
	VerdictError     Verdict = "error"
	VerdictSkip      Verdict = "skip"
)

// Verdicts are the five verdicts in the order reports list them.
var Verdicts = []Verdict{VerdictPass, VerdictNonStrict, VerdictFail, VerdictError, VerdictSkip}

// gradeRank orders the verdicts from best to worst for grading a scenario's
// repetitions and requests: a skip grades just above a pass, so that any
// verdict of a run that was judged outranks one that was not.
var gradeRank = map[Verdict]int{VerdictPass: 0, VerdictSkip: 1, VerdictNonStrict: 2, VerdictFail: 3, VerdictError: 4}

// Worse reports whether v is a worse grade than w: pass, skip, non-strict,
// fail, error, from best to worst.
func (v Verdict) Worse(w Verdict) bool { return gradeRank[v] > gradeRank[w] }

// marks are the symbols that stand for the verdicts in gatecheck run's lines
// and in the matrix's cells.
var marks = map[Verdict]string{VerdictPass: "✓", VerdictNonStrict: "~", VerdictFail: "✗", VerdictError: "!", VerdictSkip: "-"}

// Mark is the verdict's symbol: ✓ pass, ~ non-strict, ✗ fail, ! error, - skip,
// and ? for a word that is no verdict.
func (v Verdict) Mark() string {
	if m, ok := marks[v]; ok {
		return m
	}
	return "?"
}
