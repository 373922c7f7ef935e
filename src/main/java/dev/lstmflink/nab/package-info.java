/**
 * The project's own implementation of the scoring of the Numenta Anomaly Benchmark, NAB v1.1: reads a NAB corpus
 * (data, labelled windows, application profiles) and a folder of detector results in NAB's layout, and computes the
 * raw, null, perfect and normalised NAB scores of each profile at the corpus-wide optimal threshold (or at given
 * thresholds), with per-category scores. It imports no Flink: it is a plain library plus one command line tool,
 * {@link dev.lstmflink.nab.NabScore} ({@code jobs/nab-score}). It may import the levels below it ({@code core} up to
 * {@code record} and {@code config}; today it needs none of them), and {@code cli}'s NAB benchmark uses it.
 *
 * <p>References: A. Lavin and S. Ahmad, "Evaluating Real-time Anomaly Detection Algorithms – the Numenta Anomaly
 * Benchmark", IEEE ICMLA 2015; S. Ahmad, A. Lavin, S. Purdy and Z. Agha, "Unsupervised real-time anomaly detection
 * for streaming data", Neurocomputing 262 (2017). The exact semantics follow NAB's reference code
 * ({@code nab/sweeper.py}, {@code optimizer.py}, {@code scorer.py}, {@code runner.py}) at commit
 * {@code ea702d75cc2258d9d7dd35ca8e5e2539d71f3140}; this is an independent Java implementation, not a translation.
 *
 * <p>The rules, as {@link dev.lstmflink.nab.NabScorer} implements them:
 * <ol>
 *   <li>A detector gives every data row an anomaly score; the results file has one row per data row, in order.</li>
 *   <li>The first {@code min(floor(0.15 · rows), 750)} rows of each series are its probationary period: they are not
 *       scored at all (no true positive, no false positive, no count).</li>
 *   <li>A row is a detection when its score is at or above the threshold.</li>
 *   <li>Windows are located by timestamp: a window covers the rows from the row whose timestamp is its start to the
 *       row whose timestamp is its end (each must occur exactly once in the data file). Every row gets a weight from
 *       the scaled sigmoid {@code σ(x) = 2/(1 + e^{5x}) − 1} ({@code −1} for {@code x > 3}) of its relative
 *       position: inside a window of {@code W} rows ending at row {@code e}, {@code x = −(e − i + 1)/W} and the
 *       weight is {@code tpWeight · σ(x)/σ(−1)} (exactly {@code tpWeight} at the window's first row); after a window
 *       {@code x = (i − e)/(W − 1)} and the weight is {@code fpWeight · σ(x)} (about 0 just after the window, down
 *       to {@code −fpWeight}); before the first window a row weighs {@code −fpWeight}.</li>
 *   <li>Each window counts once: the largest weight among its detections (= its earliest detection), or
 *       {@code −fnWeight} when none of its scored rows is a detection. Each detection outside every window adds its
 *       (negative) weight. The raw score is the sum over the corpus.</li>
 *   <li>Per profile, the threshold is the one that maximises the corpus-wide raw score, found by an exact sweep over
 *       every distinct score of the scored rows (and "above every score", i.e. no detection); ties go to the higher
 *       threshold.</li>
 *   <li>Normalised score = {@code 100 · (raw − null)/(perfect − null)} with null = the raw score of a detector that
 *       never fires ({@code −fnWeight} per window) and perfect = {@code tpWeight} per labelled window.</li>
 * </ol>
 */
package dev.lstmflink.nab;
