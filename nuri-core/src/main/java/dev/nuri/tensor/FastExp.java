package dev.nuri.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * exp(x) for 8 float lanes from plain IEEE operations (so the interpreter and compiled code give the same bits,
 * unlike {@code lanewise(EXP)}, whose compiled form calls a vector math library): x = n·ln2 + r with
 * |r| ≤ ln2/2 (Cody–Waite split of ln2), Cephes' degree-6 polynomial for e^r, and 2^n added to the exponent
 * bits. Within a few ulp of the exact value for x in [-87.3, 88]; below that the result is 0, above it +inf
 * (exp overflows float at 88.72 anyway; the callers, softmax and SiLU, only need the limits to be right).
 */
final class FastExp {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUNDER = 12582912f; // 1.5·2^23: adding it rounds to an integer in the low bits
    static final float MIN_X = -87.33654f; // ln(2^-126): smallest normal result
    static final float MAX_X = 88f; // keeps 2^n a normal float (n ≤ 127)

    private FastExp() {
    }

    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(MIN_X).min(MAX_X);
        FloatVector t = xc.fma(FloatVector.broadcast(Simd.F, LOG2E), FloatVector.broadcast(Simd.F, ROUNDER));
        IntVector n = t.reinterpretAsInts().sub(0x4B400000); // the rounded integer, read from the low bits
        FloatVector nf = t.sub(ROUNDER);
        FloatVector r = nf.fma(FloatVector.broadcast(Simd.F, -LN2_HI), xc);
        r = nf.fma(FloatVector.broadcast(Simd.F, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(Simd.F, 1.9875691500E-4f), FloatVector.broadcast(Simd.F, 1.3981999507E-3f));
        p = p.fma(r, FloatVector.broadcast(Simd.F, 8.3334519073E-3f));
        p = p.fma(r, FloatVector.broadcast(Simd.F, 4.1665795894E-2f));
        p = p.fma(r, FloatVector.broadcast(Simd.F, 1.6666665459E-1f));
        p = p.fma(r, FloatVector.broadcast(Simd.F, 5.0000001201E-1f));
        FloatVector er = p.fma(r.mul(r), r.add(1f));
        FloatVector scale = n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector result = er.mul(scale);
        VectorMask<Float> under = x.compare(VectorOperators.LT, MIN_X);
        VectorMask<Float> over = x.compare(VectorOperators.GT, MAX_X);
        return result.blend(0f, under).blend(Float.POSITIVE_INFINITY, over);
    }
}
