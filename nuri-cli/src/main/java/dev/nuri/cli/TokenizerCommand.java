package dev.nuri.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code nuri tokenizer ...}: make tokenizers. */
@Command(name = "tokenizer",
        mixinStandardHelpOptions = true,
        description = "Make tokenizers.",
        subcommands = {
            TokenizerTrainCommand.class,
        })
public final class TokenizerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
