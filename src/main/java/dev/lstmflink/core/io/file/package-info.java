/**
 * A model file's bytes: {@link dev.lstmflink.core.io.file.ModelBytes} reads a file whole within a size limit (refused
 * before any byte is read, {@link dev.lstmflink.core.io.file.FileTooLargeException}) and gives the SHA-256 by which
 * two models are told apart. One place for both, below {@code core.io} and its format packages so that each of them
 * can use it without importing the others. Pure JDK.
 */
package dev.lstmflink.core.io.file;
