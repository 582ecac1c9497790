package bench

import (
	"strings"
	"testing"
)

func TestCheckRemote(t *testing.T) {
	tests := []struct {
		url     string
		allowed []string
		ok      bool
	}{
		{"http://127.0.0.1:8080", nil, true},
		{"http://127.8.9.10:80/path", nil, true},
		{"http://localhost:8080", nil, true},
		{"http://LOCALHOST:8080", nil, true},
		{"http://[::1]:8080", nil, true},
		{"http://10.0.0.5:8080", nil, false},
		{"http://10.0.0.5:8080", []string{"10.0.0.6"}, false},
		{"http://10.0.0.5:8080", []string{"10.0.0.6", "10.0.0.5"}, true},
		{"http://gateway.example:8080", nil, false},
		{"http://gateway.example:8080", []string{"gateway.example"}, true},
		{"http://localhost.example:8080", nil, false},
		{"http://[::ffff:10.0.0.5]:8080", nil, false},
		{"http://0.0.0.0:8080", nil, false},
	}
	for _, tt := range tests {
		err := CheckRemote("--target", tt.url, tt.allowed)
		if (err == nil) != tt.ok {
			t.Errorf("CheckRemote(%s, %v) = %v; want ok %v", tt.url, tt.allowed, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("CheckRemote(%s): %q; want it to name --allow-remote", tt.url, err)
		}
	}
}
