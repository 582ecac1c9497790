package fakeupstream

// patternAlphabet holds the 64 printable characters the generated body pattern is
// made of.
const patternAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// patternTwice is patternAlphabet written twice, so that any rotation of it is a
// substring.
const patternTwice = patternAlphabet + patternAlphabet

// Pattern returns n bytes of the generated body pattern, starting at offset. Byte i of
// the pattern is patternAlphabet[(i + i/64) % 64]: printable, deterministic and
// position-dependent (each run of 64 bytes is the alphabet rotated by one more than
// the run before), so a dropped, doubled or shifted byte shows. A negative offset
// counts as 0; n <= 0 gives an empty slice.
func Pattern(offset, n int64) []byte {
	if n <= 0 {
		return []byte{}
	}
	b := make([]byte, n)
	fillPattern(b, offset)
	return b
}

// appendPattern appends n pattern bytes starting at offset to b.
func appendPattern(b []byte, offset, n int64) []byte {
	start := len(b)
	b = append(b, make([]byte, n)...)
	fillPattern(b[start:], offset)
	return b
}

// fillPattern fills b with the pattern bytes starting at offset, a row of up to 64
// bytes per copy.
func fillPattern(b []byte, offset int64) {
	if offset < 0 {
		offset = 0
	}
	for k := 0; k < len(b); {
		i := offset + int64(k)
		pos := int(i % 64)
		rot := int((i%64 + i/64) % 64)
		n := min(64-pos, len(b)-k)
		copy(b[k:k+n], patternTwice[rot:rot+n])
		k += n
	}
}
