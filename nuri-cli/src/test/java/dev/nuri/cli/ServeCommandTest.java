package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nuri.NuriException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeCommandTest {
    @Test
    void withoutAModelItSaysInOneLineHowToGetOne(@TempDir Path emptyStore) {
        assertThrows(NuriException.class, () -> ServeCommand.resolveModel(null, new ModelStore(emptyStore)));
        String old = System.getProperty("nuri.models");
        System.setProperty("nuri.models", emptyStore.toString());
        try {
            CliRun r = CliRun.of("serve");
            assertEquals(1, r.code());
            assertEquals("nuri: " + ServeCommand.NO_MODEL, r.err().strip());
            assertTrue(r.err().contains("--model") && r.err().contains("nuri pull"));
        } finally {
            if (old == null) {
                System.clearProperty("nuri.models");
            } else {
                System.setProperty("nuri.models", old);
            }
        }
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
