package io.jkernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void percentilesInterpolateBetweenRanks() {
        // 1..11 shuffled: ranks 0..10, p10 at rank 1, p90 at rank 9, quartiles at 2.5 and 7.5
        Stats s = Stats.of(new double[] {7, 3, 11, 1, 9, 5, 2, 10, 4, 8, 6});
        assertEquals(11, s.count());
        assertEquals(6, s.median());
        assertEquals(1, s.min());
        assertEquals(11, s.max());
        assertEquals(2, s.p10());
        assertEquals(10, s.p90());
        assertEquals(3.5, s.q1());
        assertEquals(8.5, s.q3());
        assertEquals(6, s.mean());
        assertEquals((10 - 2) / 6.0, s.spread(), 1e-15);
    }

    @Test
    void evenCountMedianIsTheMidpoint() {
        assertEquals(2.5, Stats.of(new double[] {4, 1, 3, 2}).median());
    }

    @Test
    void oneSample() {
        Stats s = Stats.of(new double[] {3});
        assertEquals(3, s.median());
        assertEquals(3, s.p10());
        assertEquals(0, s.spread());
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[0]));
    }
}
