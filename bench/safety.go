package bench

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// Loopback reports whether host (a name or an address, without a port) is
// "localhost" or a loopback address: 127.0.0.0/8 or ::1.
func Loopback(host string) bool {
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CheckRemote refuses to load a URL whose host is not loopback unless allowed
// names that very host: a load aimed at someone else's gateway is a decision,
// never a default. flag names the option the URL came from, for the message.
func CheckRemote(flag, rawURL string, allowed []string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return fmt.Errorf("%s %q: want http://HOST:PORT", flag, rawURL)
	}
	host := u.Hostname()
	if Loopback(host) || slices.Contains(allowed, host) {
		return nil
	}
	return fmt.Errorf("%s %s: %s is not a loopback address; bench loads a remote gateway only when told so with --allow-remote %s", flag, rawURL, host, host)
}
