package dev.nuri.testkit;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads the number arrays of the fixtures' {@code reference.json} files. */
public final class ReferenceJson {
    private ReferenceJson() {
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
