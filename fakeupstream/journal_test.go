package fakeupstream

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestJournalForgetsOldestToken(t *testing.T) {
	j := newJournal(3, 8)
	ci := &connInfo{id: 1}
	for _, token := range []string{"a", "b", "c", "d"} {
		j.add(token, SeenRequest{Index: 0}, ci)
	}
	if got := j.record("a").Attempts(0); got != 0 {
		t.Errorf("oldest token kept: Attempts(0) = %d; want 0", got)
	}
	for _, token := range []string{"b", "c", "d"} {
		if got := j.record(token).Attempts(0); got != 1 {
			t.Errorf("token %q: Attempts(0) = %d; want 1", token, got)
		}
	}
	j.forget("c")
	if got := len(j.record("c").Requests); got != 0 {
		t.Errorf("forgotten token: %d requests; want 0", got)
	}
	if got := ci.requests; got != 4 {
		t.Errorf("connection requests = %d; want 4", got)
	}
}

func TestJournalCopiesAndBoundsHeads(t *testing.T) {
	j := newJournal(10, 8)
	head := []byte("GET / HTTP/1.1\r\n\r\n")
	ref := j.add("t", SeenRequest{Head: head}, &connInfo{id: 7})
	head[0] = 'X'
	j.update(ref, func(r *SeenRequest) { r.Marks = map[string]time.Time{"m": time.Unix(1, 0)} })
	rec := j.record("t")
	if got := string(rec.Requests[0].Head); got != "GET / HT" {
		t.Errorf("stored head = %q; want the first 8 bytes as received", got)
	}
	rec.Requests[0].Head[0] = 'Y'
	rec.Requests[0].Marks["m"] = time.Time{}
	again := j.record("t")
	if again.Requests[0].Head[0] != 'G' || again.Requests[0].Marks["m"].IsZero() {
		t.Errorf("changing a returned Record changed the journal")
	}
	if again.Requests[0].Conn != 7 || len(again.Connections) != 1 || again.Connections[0].ID != 7 {
		t.Errorf("connection not recorded: %+v", again)
	}
}

func TestJournalWait(t *testing.T) {
	j := newJournal(10, 8)
	ci := &connInfo{id: 1}
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		_, err := j.wait(ctx, "t", func(r Record) bool { return len(r.Connections) == 1 && r.Connections[0].ClosedBy != "" })
		done <- err
	}()
	j.add("t", SeenRequest{}, ci)
	j.connEnded(ci, ClosedByProxy)
	if err := <-done; err != nil {
		t.Fatalf("wait: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := j.wait(ctx, "t", func(Record) bool { return false }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait past the deadline: err = %v; want context.DeadlineExceeded", err)
	}
	if len(j.waiters) != 0 {
		t.Errorf("%d waiters left registered; want 0", len(j.waiters))
	}

	go j.close()
	if _, err := j.wait(context.Background(), "t", func(Record) bool { return false }); !errors.Is(err, errServerClosed) {
		t.Errorf("wait on a closed journal: err = %v; want errServerClosed", err)
	}
}
