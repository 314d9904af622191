package dev.nuri.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code nuri data ...}: prepare training data. */
@Command(name = "data",
        mixinStandardHelpOptions = true,
        description = "Prepare training data.",
        subcommands = {
            DataTokenizeCommand.class,
        })
public final class DataCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
