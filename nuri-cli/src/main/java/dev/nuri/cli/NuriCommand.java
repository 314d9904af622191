package dev.nuri.cli;

import dev.nuri.NuriException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code nuri} command: a picocli root with one subcommand class per job. */
@Command(name = "nuri",
        mixinStandardHelpOptions = true,
        versionProvider = NuriCommand.Version.class,
        description = "Nuri: run, adapt, make data for and measure open-weight LLMs on your own machines.",
        subcommands = {
            // one line per subcommand, kept in alphabetical order
            CommandLine.HelpCommand.class,
            BenchCommand.class,
            ChatCommand.class,
            DataCommand.class,
            DebugCommand.class,
            DetokenizeCommand.class,
            EmbedCommand.class,
            InspectCommand.class,
            PullCommand.class,
            RunCommand.class,
            ServeCommand.class,
            TokenizeCommand.class,
            TokenizerCommand.class,
            TrainCommand.class,
        })
public final class NuriCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns the exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new NuriCommand());
        cli.setExecutionExceptionHandler(NuriCommand::handleError);
        return cli.execute(args);
    }

    /** Known failures print one line naming the problem; only unexpected bugs print a stack trace. */
    private static int handleError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        Throwable t = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (t instanceof NuriException || t instanceof IllegalArgumentException) {
            cli.getErr().println("nuri: " + t.getMessage());
            return 1;
        }
        if (t instanceof NoSuchFileException nsf) {
            cli.getErr().println("nuri: no such file: " + nsf.getFile());
            return 1;
        }
        if (t instanceof IOException io) {
            cli.getErr().println("nuri: " + io.getClass().getSimpleName() + ": " + io.getMessage());
            return 1;
        }
        cli.getErr().println("nuri: internal error (please report): " + t);
        t.printStackTrace(cli.getErr());
        return 70;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = NuriCommand.class.getPackage().getImplementationVersion();
            return new String[] {"nuri " + (v != null ? v : "0.1.0-SNAPSHOT") + " (Java " + Runtime.version() + ")"};
        }
    }
}
