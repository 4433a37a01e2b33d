package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A cpu tensor of more than 2^31 elements (one byte each: 2 GiB + 17 bytes, over three host
 * chunks): indices, views and offsets are 64-bit throughout.
 */
@Tag("large")
class LargeTensorTest {
    private static final long TWO_31 = 1L << 31;

    @Test
    void boolTensorBeyondTwoToThe31Elements() {
        long n = TWO_31 + 17;
        long start = Device.cpu().liveBytes();
        try (Tensor t = Tensor.empty(DType.BOOL, Device.cpu(), n)) {
            assertEquals(n, t.numel());
            assertEquals(n, t.size(0));
            assertEquals(start + n, Device.cpu().liveBytes());
            t.setLong(n - 1, 1);
            t.setLong(TWO_31, 1);
            t.setLong(TWO_31 - 1, 1);
            assertEquals(1, t.getLong(n - 1));
            assertEquals(1, t.getLong(TWO_31));
            assertEquals(1, t.getLong(TWO_31 - 1));
            assertEquals(0, t.getLong(TWO_31 + 1));
            assertEquals(0, t.getLong(0), "index 2^31 did not wrap to 0");
            assertThrows(IndexOutOfBoundsException.class, () -> t.getLong(n));

            try (Tensor tail = t.narrow(0, TWO_31 + 5, 12)) {
                assertEquals(TWO_31 + 5, tail.offset());
                assertEquals(12, tail.numel());
                tail.setLong(0, 1);
                assertEquals(1, t.getLong(TWO_31 + 5), "a write through the view at offset 2^31 + 5");
                boolean[] b = tail.toBooleanArray();
                assertEquals(12, b.length);
                assertTrue(b[0] && b[11], "view elements 0 and 11 are base elements 2^31 + 5 and n - 1");
                for (int i = 1; i < 11; i++) {
                    assertEquals(false, b[i], "element " + i);
                }
                tail.fill(1);
                assertEquals(1, t.getLong(TWO_31 + 10));
                assertEquals(0, t.getLong(TWO_31 + 4), "fill stayed inside the view");
            }

            // a 2-D view whose rows start past 2^31: shape (2, 2^30 + 8), row 1 at offset 2^30 + 8 ... element n - 1
            try (Tensor head = t.narrow(0, 1, n - 1); Tensor m = head.view(2, (n - 1) / 2); Tensor row = m.select(0, 1)) {
                assertArrayEquals(new long[] {2, TWO_31 / 2 + 8}, m.shape());
                assertEquals(1 + TWO_31 / 2 + 8, row.offset());
                assertEquals(1, row.getLong(row.numel() - 1), "last element of row 1 is base element n - 1");
            }

            TensorException.Shape e = assertThrows(TensorException.Shape.class, t::toBooleanArray);
            assertTrue(e.getMessage().contains(String.valueOf(n)), e.getMessage());
        }
        assertEquals(start, Device.cpu().liveBytes());
    }
}
