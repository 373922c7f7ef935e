/**
 * {@code report.html}: a self-contained page of SVG plots per key (values, predictions, scores, thresholds, flags and
 * known anomaly windows), written by the detection job's runs. May import the levels below it ({@code core} up to
 * {@code record} and {@code config}; today it needs none of them); no Flink.
 */
package dev.lstmflink.report;
