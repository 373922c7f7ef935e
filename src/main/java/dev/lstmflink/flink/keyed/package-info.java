/**
 * The per-key engine both keyed operators run on ({@link dev.lstmflink.flink.keyed.KeyedLstmEngine}): validate an
 * event, order it (the event-time buffer, lateness, quiet release), step the key's LSTM in Flink keyed state, hand the
 * new state to the operator's hook, expire idle keys; the state it keeps ({@code KeyState}, the buffered events) with
 * their versioned serializers; and the one rule for which model may read a key's state, on restore and on swap
 * ({@code ModelShape}, {@code ShapeGuard}). May import {@code connect} and every level below it ({@code core},
 * {@code record}, {@code config}), never the operators that use it ({@code flink}, {@code flink.detect}).
 */
package dev.lstmflink.flink.keyed;
