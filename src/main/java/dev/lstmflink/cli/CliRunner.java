package dev.lstmflink.cli;

import dev.lstmflink.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs the body of a subcommand and turns failures into exit codes: bad input ({@link CliException}, and
 * {@link ConfigException} for bad settings) and unreadable or malformed files ({@link IOException}, e.g.
 * {@code SafetensorsFormatException}) print their message and give {@value CliException#EXIT_CODE}; anything else
 * is a bug and gives 1. Stack traces only with {@code --verbose}.
 */
final class CliRunner {

    /** A subcommand's work. */
    interface Body {
        void run() throws Exception;
    }

    private CliRunner() {}

    static int run(CommandSpec spec, boolean verbose, Body body) {
        PrintWriter err = spec.commandLine().getErr();
        String command = spec.qualifiedName();
        try {
            body.run();
            return 0;
        } catch (CliException e) {
            return fail(err, command, e.getMessage(), e, verbose, CliException.EXIT_CODE);
        } catch (ConfigException e) {
            return fail(err, command, e.getMessage(), e, verbose, CliException.EXIT_CODE);
        } catch (IOException e) {
            return fail(err, command, describe(e), e, verbose, CliException.EXIT_CODE);
        } catch (UncheckedIOException e) {
            return fail(err, command, describe(e.getCause()), e, verbose, CliException.EXIT_CODE);
        } catch (Exception e) {
            String msg = "internal error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)");
            return fail(err, command, msg, e, verbose, 1);
        }
    }

    /** The message of an I/O error, with the file named also where the JDK gives only the path. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static int fail(PrintWriter err, String command, String message, Exception e, boolean verbose,
                            int code) {
        err.println(command + ": " + message);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }
}
