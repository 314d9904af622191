package dev.nuri.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class NuriCommandTest {
    @Test
    void versionAndHelpWork() {
        var out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            assertEquals(0, NuriCommand.execute("--version"));
            assertEquals(0, NuriCommand.execute("--help"));
        } finally {
            System.setOut(old);
        }
        String text = out.toString();
        assertTrue(text.startsWith("nuri "), text);
        assertTrue(text.contains("Usage: nuri"), text);
    }

    @Test
    void progressRendersBarAndEta() {
        var p = new TerminalProgress(new PrintStream(new ByteArrayOutputStream()), false);
        p.start("train", 200);
        String line = p.render(50, "loss 2.31", 10.0);
        assertTrue(line.startsWith("train [########"), line);
        assertTrue(line.contains(" 25.0% 50/200 ETA 0:30  loss 2.31"), line);
    }
}
