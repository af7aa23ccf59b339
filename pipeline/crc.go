package pipeline

// CRC-32 (IEEE) of a concatenation from the CRCs of its parts, so chunks
// compressed apart still get the gzip trailer of the whole object. The
// arithmetic is over GF(2) modulo the reflected polynomial: appending n
// bytes multiplies a CRC by x^(8n).

const crcPoly = 0xedb88320 // reflected IEEE polynomial

// crcMulMod multiplies a and b modulo the polynomial (bit 31 is x^0).
func crcMulMod(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// crcX2n[k] is x^(2^k) modulo the polynomial.
var crcX2n = func() (t [64]uint32) {
	p := uint32(1) << 30 // x^1
	for k := range t {
		t[k] = p
		p = crcMulMod(p, p)
	}
	return t
}()

// crcXPow8 is x^(8n) modulo the polynomial.
func crcXPow8(n int64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n > 0; n, k = n>>1, k+1 {
		if n&1 != 0 {
			p = crcMulMod(crcX2n[k&63], p)
		}
	}
	return p
}

// crcCombine returns the CRC-32 of A followed by B, given crcA, crcB and
// B's length.
func crcCombine(crcA, crcB uint32, lenB int64) uint32 {
	return crcMulMod(crcXPow8(lenB), crcA) ^ crcB
}
