// Package browsertest runs headless Chromium for tests that check a rendered
// page: it finds the browser (or skips the test without one), runs it in its
// own process group with a fresh profile and a time bound, and leaves no
// browser process behind. It is for tests only and works on Linux, where it
// reads /proc to find the processes a browser left behind.
package browsertest
