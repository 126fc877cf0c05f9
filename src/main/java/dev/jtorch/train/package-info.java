/**
 * Training and evaluation runs as the CLI performs them: configuration, the epoch loop, the files
 * a run writes (metrics, model, checkpoint, report, pictures).
 */
package dev.jtorch.train;
