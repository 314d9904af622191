package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServeCommandTest {
    @Test
    void withoutAModelItSaysInOneLineHowToGetOne() {
        CliRun r = CliRun.of("serve");
        assertEquals(1, r.code());
        assertEquals("nuri: " + ServeCommand.NO_MODEL, r.err().strip());
        assertTrue(r.err().contains("--model"));
    }

    @Test
    void aMissingModelPathIsNamed() {
        CliRun r = CliRun.of("serve", "--model", "/no/such/model.gguf");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("/no/such/model.gguf: no such file or folder"), r.err());
    }

    @Test
    void badFlagsAreRefusedWithTheirName() {
        CliRun r = CliRun.of("serve", "--model", ".", "--parallel", "0");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--parallel must be in 1..256"), r.err());
    }
}
