package fakeupstream

import (
	"bytes"
	"strings"
	"testing"
)

func TestPattern(t *testing.T) {
	tests := []struct {
		offset, n int64
		want      string
	}{
		{0, 3, "ABC"},
		{62, 4, "-_BC"}, // the second row starts rotated by one
		{64, 2, "BC"},
		{4096, 2, "AB"}, // the period is 64 rows
		{-5, 2, "AB"},
		{0, 0, ""},
		{7, -1, ""},
	}
	for _, tt := range tests {
		if got := string(Pattern(tt.offset, tt.n)); got != tt.want {
			t.Errorf("Pattern(%d, %d) = %q; want %q", tt.offset, tt.n, got, tt.want)
		}
	}
}

func TestPatternContinuesAcrossOffsets(t *testing.T) {
	whole := Pattern(0, 10000)
	for _, off := range []int64{0, 1, 63, 64, 65, 127, 128, 4095, 4096, 5000} {
		for _, n := range []int64{1, 63, 64, 65, 200, 1000} {
			if got := Pattern(off, n); !bytes.Equal(got, whole[off:off+n]) {
				t.Fatalf("Pattern(%d, %d) differs from the slice of Pattern(0, 10000)", off, n)
			}
		}
	}
	for i, b := range whole {
		if !strings.ContainsRune(patternAlphabet, rune(b)) {
			t.Fatalf("byte %d = %q; want a character of the alphabet", i, b)
		}
	}
}

func TestPatternShowsDroppedBytes(t *testing.T) {
	whole := Pattern(0, 4096)
	for _, drop := range []int{1, 2, 63, 64, 65, 1000} {
		got := append(append([]byte{}, whole[:100]...), whole[100+drop:]...)
		if bytes.Equal(got, whole[:len(got)]) {
			t.Errorf("dropping %d bytes at offset 100 is not visible", drop)
		}
	}
}
