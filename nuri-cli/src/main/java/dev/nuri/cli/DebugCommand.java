package dev.nuri.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code nuri debug ...}: tools that dump internals for comparison with reference implementations. */
@Command(name = "debug",
        mixinStandardHelpOptions = true,
        description = "Dump model internals (logits, ...) for comparison with reference implementations.",
        subcommands = {
            DebugLogitsCommand.class,
            DebugTrainStepCommand.class,
        })
public final class DebugCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
