package io.jkernels.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesACaseFile() {
        Map<String, Object> m = Json.parseObject("""
                {
                  "op": "upsample_bilinear2d",
                  "attrs": {"size": [9, 13], "align_corners": false, "x": null},
                  "inputs": {"input": "input.npy"},
                  "rtol": 1e-5, "atol": 0.000001
                }""");
        assertEquals(List.of("op", "attrs", "inputs", "rtol", "atol"), List.copyOf(m.keySet()));
        assertEquals("upsample_bilinear2d", m.get("op"));
        @SuppressWarnings("unchecked")
        Map<String, Object> attrs = (Map<String, Object>) m.get("attrs");
        assertEquals(List.of(9L, 13L), attrs.get("size"));
        assertEquals(Boolean.FALSE, attrs.get("align_corners"));
        assertTrue(attrs.containsKey("x"));
        assertNull(attrs.get("x"));
        assertEquals(1e-5, m.get("rtol"));
        assertEquals(1e-6, m.get("atol"));
    }

    @Test
    void numbersKeepIntegerVersusDouble() {
        assertEquals(9007199254740993L, Json.parse("9007199254740993"));
        assertEquals(-9223372036854775808L, Json.parse("-9223372036854775808"));
        assertInstanceOf(Double.class, Json.parse("9223372036854775808"));
        assertEquals(2.0, Json.parse("2.0"));
        assertEquals(-0.0, Json.parse("-0.0"));
        assertEquals(1.0e3, Json.parse("1E3"));
        assertEquals(0L, Json.parse("0"));
        assertTrue(Double.isNaN((Double) Json.parse("NaN")));
        assertEquals(Double.NEGATIVE_INFINITY, Json.parse("-Infinity"));
        assertEquals(Double.POSITIVE_INFINITY, Json.parse("[Infinity]") instanceof List<?> l ? l.get(0) : null);
    }

    @Test
    void stringEscapes() {
        assertEquals("a\"b\\c/d\b\f\n\r\t\u00e9\u20ac", Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\""));
        assertEquals("\ud83d\ude00", Json.parse("\"\\ud83d\\ude00\""));
        assertEquals("grüß", Json.parse("\"grüß\""));
    }

    @Test
    void literalsAndNesting() {
        assertEquals(Arrays.asList(true, false, null, List.of(), Map.of()), Json.parse(" [true,false,null,[],{}] "));
    }

    @Test
    void errorsSayWhere() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01", "1.", "-", "1e", "\"abc",
            "\"\\x\"", "\"\\u12G4\"", "tru", "[1] 2", "{'a': 1}", "\"a\nb\"", "{\"a\":1,\"a\":2}"}) {
            Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().contains("line"), e.getMessage());
        }
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\n  \"a\": [1, 2,,]\n}"));
        assertTrue(e.getMessage().startsWith("JSON error at line 2, column 14"), e.getMessage());
        assertThrows(Json.JsonException.class, () -> Json.parseObject("[1]"));
    }
}
