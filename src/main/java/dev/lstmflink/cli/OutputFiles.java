package dev.lstmflink.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the result files of a command all or nothing, as far as a file system allows: each is written to a hidden
 * temporary file next to it first and renamed only when all were written, so a failure never leaves a truncated
 * output (or one output without the other) behind.
 */
final class OutputFiles {

    private OutputFiles() {}

    /** Writes each path with its UTF-8 text, replacing existing files. */
    static void writeAll(Map<Path, String> files) throws CliException, IOException {
        for (Path p : files.keySet()) {
            Path dir = p.toAbsolutePath().getParent();
            if (Files.isDirectory(p)) {
                throw new CliException(p + ": is a directory, expected a file name");
            }
            if (dir != null && !Files.isDirectory(dir)) {
                throw new CliException(p + ": directory " + dir + " does not exist");
            }
        }
        List<Path[]> moves = new ArrayList<>();
        try {
            for (Map.Entry<Path, String> e : files.entrySet()) {
                Path target = e.getKey().toAbsolutePath();
                Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid()
                        + "." + System.nanoTime() + ".tmp");
                moves.add(new Path[] {tmp, target});
                Files.writeString(tmp, e.getValue(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
            }
            for (Path[] m : moves) {
                move(m[0], m[1]);
            }
        } finally {
            for (Path[] m : moves) {
                try {
                    Files.deleteIfExists(m[0]);   // left only when something failed
                } catch (IOException ignored) {
                    // keep the original failure
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
