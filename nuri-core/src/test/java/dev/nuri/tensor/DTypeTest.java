package dev.nuri.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class DTypeTest {
    @Test
    void blockSizesMatchGgml() {
        assertEquals(34, DType.Q8_0.bytesFor(32));
        assertEquals(144 * 2, DType.Q4_K.bytesFor(512));
        assertEquals(-1, DType.Q4_K.bytesFor(100), "partial block");
        assertEquals(-1, DType.F32.bytesFor(Long.MAX_VALUE / 2), "overflow");
        assertEquals(DType.Q6_K, DType.fromGgmlId(14));
        assertEquals(DType.BF16, DType.fromGgmlId(30));
        assertNull(DType.fromGgmlId(-1));
        assertNull(DType.fromGgmlId(99));
    }
}
