package dev.lstmflink.core.io.file;

import java.io.IOException;

/**
 * A file is larger than the limit its reader was given, and was refused before any of it was read: a model file is
 * read whole into memory (and parsed into several times its size), so a wrong path or a crafted file of many gigabytes
 * must not reach the allocation.
 */
public final class FileTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long size;
    private final long limit;

    public FileTooLargeException(String source, long size, long limit) {
        super(source + ": file is " + size + " bytes (" + mib(size) + "), over the limit of " + limit + " bytes ("
                + mib(limit) + "); raise the limit if the model is meant to be this large");
        this.source = source;
        this.size = size;
        this.limit = limit;
    }

    /** The file path. */
    public String source() {
        return source;
    }

    /** The file's size in bytes. */
    public long size() {
        return size;
    }

    /** The limit it is over, in bytes. */
    public long limit() {
        return limit;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
