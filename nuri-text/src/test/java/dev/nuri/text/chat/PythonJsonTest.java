package dev.nuri.text.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Python's json.dumps / repr number and string formatting; expected strings are what CPython 3.11 prints. */
class PythonJsonTest {

    @Test
    void floatsPrintAsPythonRepr() {
        double[] values = {1e-5, 1e16, 123.456, 0.1 + 0.2, 1e22, 5e-324, -0.0, 1.5e300, 12345678901234567.0, 0.0001,
            100.0, 2.5e-7, 1234567890123456.0};
        List<String> python = List.of("1e-05", "1e+16", "123.456", "0.30000000000000004", "1e+22", "5e-324", "-0.0",
                "1.5e+300", "1.2345678901234568e+16", "0.0001", "100.0", "2.5e-07", "1234567890123456.0");
        for (int i = 0; i < values.length; i++) {
            assertEquals(python.get(i), PythonJson.pythonFloat(values[i]), "repr(" + values[i] + ")");
        }
    }

    @Test
    void dumpsMatchesPython() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "é\u0001\"\\/\u2028");
        value.put("n", Arrays.asList(1, 2L, 3.0, null, true));
        value.put("e", Map.of());
        // json.dumps({"s": "é\x01\"\\/\u2028", "n": [1, 2, 3.0, None, True], "e": {}}, ensure_ascii=False)
        assertEquals("{\"s\": \"é\\u0001\\\"\\\\/\u2028\", \"n\": [1, 2, 3.0, null, true], \"e\": {}}",
                PythonJson.dumps(value));
        // ... and with ensure_ascii=True, indent=1
        assertEquals("{\n \"s\": \"\\u00e9\\u0001\\\"\\\\/\\u2028\",\n \"n\": [\n  1,\n  2,\n  3.0,\n  null,\n  true\n ],"
                + "\n \"e\": {}\n}", new PythonJson(true, 1, null, null, false).write(value));
    }
}
