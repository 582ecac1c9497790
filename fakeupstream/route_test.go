package fakeupstream

import "testing"

func TestParseRoute(t *testing.T) {
	tests := []struct {
		target string
		want   route
		ok     bool
	}{
		{"/gatecheck/body/truncated/3f9a/0", route{ID: "body/truncated", Token: "3f9a", Index: 0}, true},
		{"/gatecheck/a/b/c/tok/12", route{ID: "a/b/c", Token: "tok", Index: 12}, true},
		{"/gatecheck/x/tok/1?q=1", route{ID: "x", Token: "tok", Index: 1}, true},
		{"/gatecheck-refused/conn/refused/tok/0", route{ID: "conn/refused", Token: "tok", Index: 0}, true},
		{"/gatecheck-connect-timeout/conn/ct/tok/0", route{ID: "conn/ct", Token: "tok", Index: 0}, true},
		{"http://upstream:8080/gatecheck/x/tok/3", route{ID: "x", Token: "tok", Index: 3}, true},
		{"/gatecheck/ready", route{ID: readyID, Index: -1}, true},
		{"/gatecheck/ready/tok/0", route{ID: readyID, Token: "tok", Index: 0}, true},
		{"/gatecheck/x/tok/-1", route{}, false},
		{"/gatecheck/x/tok/1a", route{}, false},
		{"/gatecheck/x/tok/", route{}, false},
		{"/gatecheck/x//0", route{}, false},
		{"/gatecheck/tok/0", route{}, false},
		{"/gatecheck/x/tok/9999999999", route{}, false},
		{"/other/x/tok/0", route{}, false},
		{"/gatecheckx/tok/0", route{}, false},
		{"*", route{}, false},
	}
	for _, tt := range tests {
		got, err := parseRoute(tt.target)
		if (err == nil) != tt.ok {
			t.Errorf("parseRoute(%q) error = %v; want ok %v", tt.target, err, tt.ok)
			continue
		}
		if got != tt.want {
			t.Errorf("parseRoute(%q) = %+v; want %+v", tt.target, got, tt.want)
		}
	}
}
