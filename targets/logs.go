package targets

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// logTail is how much of the proxy's output, and of each of its log files, Log
// shows.
const logTail = 16 << 10

// errorLines is how many lines of a proxy's output a start error carries.
const errorLines = 6

// logFiles is the tail of each of the spec's log files in dir, each under a
// "==> FILE <==" line; missing and empty files are left out.
func (p *Process) logFiles(dir string) string {
	var b strings.Builder
	for _, name := range p.spec.Logs {
		data := tailFile(dir+"/"+name, logTail)
		if strings.TrimSpace(data) == "" {
			continue
		}
		fmt.Fprintf(&b, "==> %s <==\n%s", name, data)
		if !strings.HasSuffix(data, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// lastLines is the last few non-empty lines the proxy wrote, to its output or
// its error log, as ": line" or ":\n\tline\n\tline..." for an error message.
func (p *Process) lastLines(pr *proc) string {
	text := pr.out.String()
	if len(p.spec.Logs) > 0 {
		text += "\n" + tailFile(pr.in.Path(p.spec.Logs[0]), logTail)
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return " (no output)"
	}
	lines = lines[max(len(lines)-errorLines, 0):]
	if len(lines) == 1 {
		return ": " + lines[0]
	}
	return ":\n\t" + strings.Join(lines, "\n\t")
}

// tailFile is the last n bytes of a file, or "" when it cannot be read.
func tailFile(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > n {
		if _, err := f.Seek(-n, io.SeekEnd); err != nil {
			return ""
		}
	}
	data, _ := io.ReadAll(io.LimitReader(f, n))
	return string(data)
}

// tailString is the last n bytes of s.
func tailString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
